import { checkCancel, checkRevoke, checkRotate, dueToExpire, planSwitch, statusOf, warningsOf, type TokenState } from "../../src/tokens/lifecycle";

const now = new Date("2026-11-25T10:00:00Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const token = (id: number, status: string, extra: Partial<TokenState> = {}): TokenState => ({
  id, status, fingerprint: `fp${id}`, createdAt: at(-120), activatedAt: null, expiresAt: null, firstSeenAt: null, lastSeenAt: null, ...extra,
});

describe("the token lifecycle", () => {
  test("a switch activates the pending token and retires the active one for the window", () => {
    const plan = planSwitch([token(1, "active"), token(2, "pending")], 2, now, 30);
    expect(plan.activate.id).toBe(2);
    expect(plan.retire).toEqual({ token: expect.objectContaining({ id: 1 }), expiresAt: at(30) });
  });

  test("a switch with no active token (after a forced revoke) retires nothing", () => {
    expect(planSwitch([token(1, "revoked"), token(2, "pending")], 2, now, 30).retire).toBeNull();
  });

  test.each(["active", "retiring", "expired", "revoked"])("a %s token cannot be switched to", (status) => {
    expect(() => planSwitch([token(1, status)], 1, now, 30)).toThrow(expect.objectContaining({ code: "not_pending" }));
  });

  test("only one token may be pending", () => {
    expect(() => checkRotate([token(1, "active")])).not.toThrow();
    expect(() => checkRotate([token(1, "active"), token(2, "pending")])).toThrow(expect.objectContaining({ code: "pending_exists" }));
  });

  test("the last usable token is revoked only by force; an expired retiring token does not count as usable", () => {
    const tokens = [token(1, "active"), token(2, "retiring", { expiresAt: at(-1) })];
    expect(() => checkRevoke(tokens, 1, now, false)).toThrow(expect.objectContaining({ code: "last_usable_token" }));
    expect(checkRevoke(tokens, 1, now, true).id).toBe(1);
    expect(checkRevoke([token(1, "active"), token(2, "retiring", { expiresAt: at(1) })], 1, now, false).id).toBe(1);
    expect(() => checkRevoke(tokens, 2, now, true)).toThrow(expect.objectContaining({ code: "not_usable" }));
  });

  test("a pending token already presented by Douane cannot be cancelled", () => {
    expect(() => checkCancel([token(1, "pending", { firstSeenAt: now })], 1)).toThrow(expect.objectContaining({ code: "already_used" }));
    expect(checkCancel([token(1, "pending")], 1).id).toBe(1);
  });

  test("retiring tokens expire at their expiresAt, not a millisecond before", () => {
    const tokens = [token(1, "retiring", { expiresAt: now }), token(2, "retiring", { expiresAt: new Date(now.getTime() + 1) })];
    expect(dueToExpire(tokens, now).map((t) => t.id)).toEqual([1]);
  });

  test("a pending token unseen for 60 minutes warns; one seen does not", () => {
    expect(warningsOf([token(1, "pending", { createdAt: at(-59) })], now)).toEqual([]);
    expect(warningsOf([token(1, "pending", { createdAt: at(-60) })], now)).toEqual([expect.objectContaining({ code: "pending_unseen" })]);
    expect(warningsOf([token(1, "pending", { createdAt: at(-90), firstSeenAt: at(-10) })], now)).toEqual([]);
  });

  test("a retiring token used within 5 minutes of its expiry warns", () => {
    expect(warningsOf([token(1, "retiring", { expiresAt: at(10), lastSeenAt: at(-1) })], now)).toEqual([]);
    expect(warningsOf([token(1, "retiring", { expiresAt: at(4), lastSeenAt: at(-0.5) })], now)).toEqual([expect.objectContaining({ code: "retiring_still_used" })]);
  });

  test("the status is red without a usable token, yellow during a rotation, green otherwise", () => {
    expect(statusOf([], now)).toBe("red");
    expect(statusOf([token(1, "revoked"), token(2, "retiring", { expiresAt: at(-1) })], now)).toBe("red");
    expect(statusOf([token(1, "active"), token(2, "pending", { createdAt: at(-1) })], now)).toBe("yellow");
    expect(statusOf([token(1, "active"), token(2, "retiring", { expiresAt: at(5) })], now)).toBe("yellow");
    expect(statusOf([token(1, "active"), token(2, "expired")], now)).toBe("green");
  });
});
