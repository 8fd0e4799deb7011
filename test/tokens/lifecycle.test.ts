import { statusOf, warningsOf } from "../../src/tokens/health";
import {
  checkCancel,
  checkRevoke,
  checkRotate,
  dueToExpire,
  oldTokenOf,
  planExtend,
  planSwitch,
  type TokenState,
} from "../../src/tokens/lifecycle";
import { isUsable, keepsApiReachable, TOKEN_STATUSES, type TokenStatus } from "../../src/tokens/status";

const now = new Date("2026-11-25T10:00:00Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const token = (id: number, status: TokenStatus, extra: Partial<TokenState> = {}): TokenState => ({
  id,
  status,
  fingerprint: `fp${id}`,
  createdAt: at(-120),
  activatedAt: null,
  expiresAt: null,
  revokedAt: null,
  firstSeenAt: null,
  lastSeenAt: null,
  retiringSince: null,
  lastRefusedAt: null,
  ...extra,
});
const status = (tokens: TokenState[], when = now) => statusOf(tokens, warningsOf(tokens, when), when);

describe("the token lifecycle", () => {
  test("a switch activates the pending token and retires the active one for the window", () => {
    const plan = planSwitch([token(1, "active"), token(2, "pending", { firstSeenAt: now })], 2, now, 30, false);
    expect(plan.activate.id).toBe(2);
    expect(plan.retire).toEqual({ token: expect.objectContaining({ id: 1 }), expiresAt: at(30) });
  });

  test("a switch to a pending token Douane never presented is refused without force, and says why", () => {
    const tokens = [token(1, "active"), token(2, "pending")];
    expect(() => planSwitch(tokens, 2, now, 30, false)).toThrow(
      expect.objectContaining({ code: "never_presented", message: expect.stringMatching(/never presented.*portal/) }),
    );
    expect(planSwitch(tokens, 2, now, 30, true).activate.id).toBe(2);
  });

  test("a switch with no active token (after a forced revoke) retires nothing", () => {
    expect(planSwitch([token(1, "revoked"), token(2, "pending")], 2, now, 30, true).retire).toBeNull();
  });

  test.each(["active", "retiring", "expired", "revoked"] as const)("a %s token cannot be switched to", (state) => {
    expect(() => planSwitch([token(1, state)], 1, now, 30, true)).toThrow(
      expect.objectContaining({ code: "not_pending" }),
    );
  });

  test("only one token may be pending", () => {
    expect(() => checkRotate([token(1, "active")])).not.toThrow();
    expect(() => checkRotate([token(1, "active"), token(2, "pending")])).toThrow(
      expect.objectContaining({ code: "pending_exists" }),
    );
  });

  test("the last usable token is revoked only by force; an expired retiring token does not count as usable", () => {
    const tokens = [token(1, "active"), token(2, "retiring", { expiresAt: at(-1) })];
    expect(() => checkRevoke(tokens, 1, now, false)).toThrow(expect.objectContaining({ code: "last_usable_token" }));
    expect(checkRevoke(tokens, 1, now, true).id).toBe(1);
    expect(() => checkRevoke(tokens, 2, now, true)).toThrow(expect.objectContaining({ code: "not_usable" }));
  });

  test("a retiring token still in its window does not keep the API reachable: revoking the active one beside it needs force", () => {
    const tokens = [token(1, "active"), token(2, "retiring", { expiresAt: at(10) })];
    expect(() => checkRevoke(tokens, 1, now, false)).toThrow(expect.objectContaining({ code: "last_usable_token" }));
    expect(checkRevoke(tokens, 2, now, false).id).toBe(2);
  });

  test("a pending token Douane never presented does not count; one it presented does", () => {
    expect(() => checkRevoke([token(1, "active"), token(2, "pending")], 1, now, false)).toThrow(
      expect.objectContaining({ code: "last_usable_token" }),
    );
    expect(checkRevoke([token(1, "active"), token(2, "pending", { firstSeenAt: now })], 1, now, false).id).toBe(1);
    expect(checkRevoke([token(1, "active"), token(2, "pending")], 2, now, false).id).toBe(2);
  });

  test("a pending token already presented by Douane cannot be cancelled", () => {
    expect(() => checkCancel([token(1, "pending", { firstSeenAt: now })], 1)).toThrow(
      expect.objectContaining({ code: "already_used" }),
    );
    expect(checkCancel([token(1, "pending")], 1).id).toBe(1);
  });

  test("extending a retiring token adds to its expiry; an expired one reopens from now; others are refused", () => {
    expect(planExtend([token(1, "retiring", { expiresAt: at(10) })], 1, now, 20).expiresAt).toEqual(at(30));
    expect(planExtend([token(1, "expired", { expiresAt: at(-40) })], 1, now, 20).expiresAt).toEqual(at(20));
    for (const state of ["active", "pending", "revoked"] as const) {
      expect(() => planExtend([token(1, state)], 1, now, 20)).toThrow(
        expect.objectContaining({ code: "not_retiring" }),
      );
    }
  });

  test("retiring tokens expire at their expiresAt, not a millisecond before", () => {
    const tokens = [
      token(1, "retiring", { expiresAt: now }),
      token(2, "retiring", { expiresAt: new Date(now.getTime() + 1) }),
    ];
    expect(dueToExpire(tokens, now).map((t) => t.id)).toEqual([1]);
  });

  test("the old token's deadline: unknown until the switch, then the retiring token's expiry", () => {
    expect(oldTokenOf([token(1, "active"), token(2, "pending")], 30)).toMatchObject({
      id: 1,
      acceptedUntil: null,
      meaning: expect.stringContaining("30 minutes after the switch"),
    });
    expect(oldTokenOf([token(2, "active"), token(1, "retiring", { expiresAt: at(30) })], 30)).toMatchObject({
      id: 1,
      acceptedUntil: at(30),
    });
    expect(oldTokenOf([token(1, "revoked")], 30)).toBeNull();
  });
});

describe("token usability, one rule", () => {
  test("active and pending tokens are usable, a retiring one until its expiry, expired and revoked ones never", () => {
    const usable = TOKEN_STATUSES.filter((state) => isUsable({ status: state, expiresAt: at(1) }, now));
    expect(usable).toEqual(["active", "pending", "retiring"]);
    expect(isUsable({ status: "retiring", expiresAt: now }, now)).toBe(false);
    expect(isUsable({ status: "retiring", expiresAt: null }, now)).toBe(false);
  });

  test("only an active token, or a pending one Douane presented, keeps the API reachable", () => {
    const keeping = TOKEN_STATUSES.filter((state) => keepsApiReachable({ status: state, firstSeenAt: now }));
    expect(keeping).toEqual(["active", "pending"]);
    expect(keepsApiReachable({ status: "pending", firstSeenAt: null })).toBe(false);
  });
});

describe("token warnings and the API status", () => {
  test("a pending token unseen for 60 minutes warns; one seen does not", () => {
    const active = token(2, "active");
    expect(warningsOf([active, token(1, "pending", { createdAt: at(-59) })], now)).toEqual([]);
    expect(warningsOf([active, token(1, "pending", { createdAt: at(-60) })], now)).toEqual([
      expect.objectContaining({ code: "pending_unseen" }),
    ]);
    expect(warningsOf([active, token(1, "pending", { createdAt: at(-90), firstSeenAt: at(-10) })], now)).toEqual([]);
  });

  test("a retiring token presented more than 15 minutes after the switch warns at once, not in the window's last minutes", () => {
    const retiring = (lastSeen: number) =>
      token(1, "retiring", { retiringSince: at(-20), expiresAt: at(10), lastSeenAt: at(lastSeen) });
    expect(warningsOf([retiring(-6)], now)).toEqual([]);
    expect(warningsOf([retiring(-5)], now)).toEqual([
      expect.objectContaining({
        code: "retiring_still_used",
        message: expect.stringContaining("more than 15 minutes"),
      }),
    ]);
  });

  test("a retired token presented within 30 minutes turns the API red, naming when", () => {
    const tokens = (refused: number) => [
      token(2, "active"),
      token(1, "expired", { expiresAt: at(-60), lastRefusedAt: at(refused) }),
    ];
    expect(warningsOf(tokens(-29), now)).toEqual([
      expect.objectContaining({
        code: "retired_token_presented",
        message: expect.stringContaining(`Douane still presents the retired token (last at ${at(-29).toISOString()})`),
      }),
    ]);
    expect(status(tokens(-29))).toBe("red");
    expect(status(tokens(-30))).toBe("green");
  });

  test("the status is red without a usable token Douane can present, yellow with a pending token or a warning, green otherwise", () => {
    expect(status([])).toBe("red");
    expect(status([token(1, "revoked"), token(2, "retiring", { expiresAt: at(-1) })])).toBe("red");
    expect(status([token(1, "revoked"), token(2, "pending", { createdAt: at(-1) })])).toBe("red");
    expect(warningsOf([token(1, "revoked"), token(2, "pending", { createdAt: at(-1) })], now)).toEqual([
      expect.objectContaining({ code: "no_presented_token" }),
    ]);
    expect(status([token(1, "active"), token(2, "pending", { createdAt: at(-1) })])).toBe("yellow");
    expect(status([token(1, "active"), token(2, "retiring", { expiresAt: at(5), retiringSince: at(-25) })])).toBe(
      "green",
    );
    expect(status([token(1, "active"), token(2, "expired")])).toBe("green");
  });
});
