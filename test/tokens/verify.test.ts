import type { TokenStatus } from "../../src/tokens/status";
import {
  bearerTokenOf,
  fingerprintOf,
  hashToken,
  identifyToken,
  type KnownToken,
  readPresentedToken,
  verifyToken,
} from "../../src/tokens/verify";

const token = (id: number, value: string, status: TokenStatus, expiresAt: Date | null = null): KnownToken => ({
  id,
  api: "h7",
  hash: hashToken(value),
  fingerprint: fingerprintOf(value),
  status,
  expiresAt,
});
const now = new Date("2026-11-25T12:00:00Z");

describe("reading the presented token", () => {
  test.each([
    ["Bearer abc123", "abc123"],
    ["bearer abc123", "abc123"],
    ["BEARER   abc123 ", "abc123"],
    ["abc123", "abc123"],
    ["  abc123  ", "abc123"],
  ])("Authorization %j presents %j", (value, expected) => {
    expect(readPresentedToken("authorization", value)).toBe(expected);
  });

  test.each([[undefined], [""], ["   "], [["a", "b"]]])("Authorization %j presents nothing", (value) => {
    expect(readPresentedToken("authorization", value as string | undefined)).toBeNull();
  });

  test("another header's whole value is the token, a Bearer prefix included", () => {
    expect(readPresentedToken("x-api-key", "Bearer abc")).toBe("Bearer abc");
  });

  test("an internal credential comes only as Bearer, the scheme in any case: a bare value presents nothing", () => {
    expect(bearerTokenOf("bEaReR  abc123 ")).toBe("abc123");
    expect(bearerTokenOf("abc123")).toBeNull();
    expect(bearerTokenOf("Bearer ")).toBeNull();
    expect(bearerTokenOf(undefined)).toBeNull();
  });
});

describe("verifying a token", () => {
  const known = [
    token(1, "active-token", "active"),
    token(2, "pending-token", "pending"),
    token(3, "retiring-token", "retiring", new Date(now.getTime() + 60_000)),
  ];

  test("each accepted token matches itself", () => {
    expect(verifyToken(known, "active-token", now)?.id).toBe(1);
    expect(verifyToken(known, "pending-token", now)?.id).toBe(2);
    expect(verifyToken(known, "retiring-token", now)?.id).toBe(3);
  });

  test("an unknown token, or a prefix of a known one, matches nothing", () => {
    expect(verifyToken(known, "active-toke", now)).toBeNull();
    expect(verifyToken(known, "active-token ", now)).toBeNull();
    expect(verifyToken(known, "", now)).toBeNull();
  });

  test("a retiring token is accepted until its expiry and refused from then on", () => {
    const expiry = new Date(now.getTime() + 60_000);
    expect(verifyToken(known, "retiring-token", new Date(expiry.getTime() - 1))?.id).toBe(3);
    expect(verifyToken(known, "retiring-token", expiry)).toBeNull();
  });

  test("expired and revoked tokens are refused, yet still identified (to tell them from an unknown token)", () => {
    const retired = [...known, token(4, "expired-token", "expired"), token(5, "revoked-token", "revoked")];
    expect(verifyToken(retired, "expired-token", now)).toBeNull();
    expect(verifyToken(retired, "revoked-token", now)).toBeNull();
    expect(identifyToken(retired, "expired-token")?.id).toBe(4);
    expect(identifyToken(retired, "revoked-token")?.id).toBe(5);
    expect(identifyToken(retired, "never-issued")).toBeNull();
  });

  test("every candidate is compared, those after the match too, so the time taken does not tell which matched", () => {
    let compared = 0;
    const counted = known.map((candidate) => ({
      id: candidate.id,
      get hash() {
        compared += 1;
        return candidate.hash;
      },
    }));
    expect(identifyToken(counted, "active-token")?.id).toBe(1);
    expect(compared).toBe(known.length);
  });

  test("a fingerprint is short, stable, and reveals neither the token nor its stored hash", () => {
    expect(fingerprintOf("active-token")).toMatch(/^[0-9a-f]{12}$/);
    expect(fingerprintOf("active-token")).toBe(fingerprintOf("active-token"));
    expect(hashToken("active-token").toString("hex")).not.toContain(fingerprintOf("active-token"));
  });
});
