/**
 * The token lifecycle of one API, as pure decisions over the API's tokens and a clock.
 *
 *   pending ──switch──▶ active ──next switch──▶ retiring ──expiresAt──▶ expired
 *      │                  │                      │    ▲                   │
 *    cancel            revoke                 revoke  └──── extend ───────┘
 *      ▼                  ▼                      ▼
 *   (deleted)          revoked                revoked
 *
 * Douane's nodes take up to 15 minutes to pick up a token changed in the portal, and retries already queued
 * carry the old one: so the old token keeps being accepted for a window after the switch.
 */
import type { TokenRefusalCode } from "../http/error-catalog";
import { isUsable, keepsApiReachable, type TokenStatus } from "./status";

export interface TokenState {
  id: number;
  status: TokenStatus;
  fingerprint: string;
  createdAt: Date;
  activatedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  retiringSince: Date | null;
  lastRefusedAt: Date | null;
}

/** A change the lifecycle refuses; its code and status are in the error catalog (http/error-catalog/refusals.ts). */
export class LifecycleRefusal extends Error {
  constructor(
    readonly code: TokenRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** The longest a retiring token's window may be stretched by one `extend`: a day. */
export const MAX_EXTEND_MINUTES = 24 * 60;

export function checkRotate(tokens: TokenState[]): void {
  const pending = tokens.find((token) => token.status === "pending");
  if (pending)
    throw new LifecycleRefusal(
      "pending_exists",
      `token ${pending.fingerprint} is already pending: activate or cancel it first`,
    );
}

export interface Switch {
  activate: TokenState;
  retire: { token: TokenState; expiresAt: Date } | null;
}

/** The pending token becomes active; the active one, if any, retires with `window` of overlap. A token Douane
 *  never presented may not be in the portal yet: switching to it by hand needs `force`. */
export function planSwitch(
  tokens: TokenState[],
  tokenId: number,
  now: Date,
  windowMinutes: number,
  force: boolean,
): Switch {
  const token = find(tokens, tokenId);
  if (token.status !== "pending")
    throw new LifecycleRefusal("not_pending", `token ${token.fingerprint} is ${token.status}, not pending`);
  const active = tokens.find((candidate) => candidate.status === "active") ?? null;
  if (!token.firstSeenAt && !force) {
    throw new LifecycleRefusal(
      "never_presented",
      `Douane has never presented token ${token.fingerprint}: if the customs portal does not hold it yet, activating it now ` +
        `would refuse every callback once the current token's ${windowMinutes}-minute window ends. ` +
        "The first callback with it switches by itself; activate by hand only with force",
    );
  }
  return {
    activate: token,
    retire: active && { token: active, expiresAt: new Date(now.getTime() + windowMinutes * 60_000) },
  };
}

/**
 * A leaked token is refused at once. Without `force`, a revocation must leave the API a token that keeps it
 * reachable (status.ts's keepsApiReachable): an active token, or a pending one Douane already presented.
 * Neither a retiring token (it expires on its own) nor a pending one never presented counts; that also makes
 * cancel and expiry safe, since they only ever take away tokens that do not count.
 */
export function checkRevoke(tokens: TokenState[], tokenId: number, now: Date, force: boolean): TokenState {
  const token = find(tokens, tokenId);
  if (!isUsable(token, now))
    throw new LifecycleRefusal("not_usable", `token ${token.fingerprint} is already ${token.status}`);
  const othersKeepReachable = tokens.some((other) => other.id !== token.id && keepsApiReachable(other));
  if (!othersKeepReachable && !force) {
    throw new LifecycleRefusal(
      "last_usable_token",
      `token ${token.fingerprint} is the last token Douane can present for good (a retiring token expires on its own, a pending one ` +
        "never presented may not be in the portal): every callback would be refused (force to revoke anyway)",
    );
  }
  return token;
}

export function checkCancel(tokens: TokenState[], tokenId: number): TokenState {
  const token = find(tokens, tokenId);
  if (token.status !== "pending")
    throw new LifecycleRefusal("not_pending", `token ${token.fingerprint} is ${token.status}, not pending`);
  if (token.firstSeenAt)
    throw new LifecycleRefusal("already_used", `token ${token.fingerprint} was already used by Douane`);
  return token;
}

/** A retiring token's window gets `minutes` more (from now if it already expired, which re-opens it). */
export function planExtend(
  tokens: TokenState[],
  tokenId: number,
  now: Date,
  minutes: number,
): { token: TokenState; expiresAt: Date } {
  const token = find(tokens, tokenId);
  if (token.status !== "retiring" && token.status !== "expired") {
    throw new LifecycleRefusal(
      "not_retiring",
      `token ${token.fingerprint} is ${token.status}: only a retiring or expired token's window can be extended`,
    );
  }
  const from = Math.max(token.expiresAt?.getTime() ?? 0, now.getTime());
  return { token, expiresAt: new Date(from + minutes * 60_000) };
}

export function dueToExpire(tokens: TokenState[], now: Date): TokenState[] {
  return tokens.filter((token) => token.status === "retiring" && token.expiresAt !== null && token.expiresAt <= now);
}

/** What every lifecycle answer says about the token being replaced: until when Douane may still present it. */
export interface OldToken {
  id: number;
  fingerprint: string;
  /** Null: no deadline yet (the window starts at the switch). */
  acceptedUntil: Date | null;
  meaning: string;
}

/** The token a change is about (`focusId`), else the one a rotation replaces: the active token while one is
 *  pending, else the retiring token that lasts longest, else the active one. */
export function oldTokenOf(tokens: TokenState[], windowMinutes: number, focusId?: number): OldToken | null {
  const active = tokens.find((token) => token.status === "active");
  const pending = tokens.some((token) => token.status === "pending");
  const retiring = tokens
    .filter((token) => token.status === "retiring" && token.expiresAt)
    .sort((a, b) => b.expiresAt!.getTime() - a.expiresAt!.getTime())[0];
  const token = tokens.find((candidate) => candidate.id === focusId) ?? (pending ? active : (retiring ?? active));
  if (!token) return null;
  const about = { id: token.id, fingerprint: token.fingerprint };
  switch (token.status) {
    case "retiring":
      return {
        ...about,
        acceptedUntil: token.expiresAt,
        meaning: `accepted until ${token.expiresAt!.toISOString()}, refused from then on`,
      };
    case "expired":
    case "revoked": {
      const since = token.status === "revoked" ? token.revokedAt : token.expiresAt;
      return {
        ...about,
        acceptedUntil: since,
        meaning: `${token.status}: refused since ${since?.toISOString() ?? "now"}`,
      };
    }
    default:
      return {
        ...about,
        acceptedUntil: null,
        meaning: pending
          ? `accepted until ${windowMinutes} minutes after the switch (Douane's first callback with the new token), then refused`
          : "the active token: accepted until the next rotation's switch plus its window",
      };
  }
}

function find(tokens: TokenState[], tokenId: number): TokenState {
  const token = tokens.find((candidate) => candidate.id === tokenId);
  if (!token) throw new LifecycleRefusal("not_found", `no token ${tokenId} for this API`);
  return token;
}
