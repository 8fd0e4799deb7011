/**
 * The token lifecycle of one API, as pure decisions over the API's tokens and a clock.
 *
 *   pending ──switch──▶ active ──next switch──▶ retiring ──expiresAt──▶ expired
 *      │                  │                        │
 *    cancel            revoke                   revoke
 *      ▼                  ▼                        ▼
 *   (deleted)          revoked                  revoked
 *
 * Douane's nodes take up to 15 minutes to pick up a token changed in the portal, and retries already queued
 * carry the old one: so the old token keeps being accepted for a window after the switch.
 */

export type TokenStatus = "active" | "pending" | "retiring" | "expired" | "revoked";

export interface TokenState {
  id: number;
  status: string;
  fingerprint: string;
  createdAt: Date;
  activatedAt: Date | null;
  expiresAt: Date | null;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
}

export class LifecycleRefusal extends Error {
  constructor(
    readonly code: "pending_exists" | "not_pending" | "not_found" | "already_used" | "last_usable_token" | "not_usable",
    message: string,
  ) {
    super(message);
  }
}

export const PENDING_UNSEEN_WARNING_MS = 60 * 60_000;
export const RETIRING_LAST_USE_WARNING_MS = 5 * 60_000;

const isUsable = (token: TokenState, now: Date) =>
  token.status === "active" || token.status === "pending" || (token.status === "retiring" && token.expiresAt !== null && token.expiresAt > now);

export function checkRotate(tokens: TokenState[]): void {
  const pending = tokens.find((token) => token.status === "pending");
  if (pending) throw new LifecycleRefusal("pending_exists", `token ${pending.fingerprint} is already pending: activate or cancel it first`);
}

export interface Switch {
  activate: TokenState;
  retire: { token: TokenState; expiresAt: Date } | null;
}

/** The pending token becomes active; the active one, if any, retires with `window` of overlap. */
export function planSwitch(tokens: TokenState[], tokenId: number, now: Date, windowMinutes: number): Switch {
  const token = find(tokens, tokenId);
  if (token.status !== "pending") throw new LifecycleRefusal("not_pending", `token ${token.fingerprint} is ${token.status}, not pending`);
  const active = tokens.find((candidate) => candidate.status === "active") ?? null;
  return { activate: token, retire: active && { token: active, expiresAt: new Date(now.getTime() + windowMinutes * 60_000) } };
}

/** A leaked token is refused at once; the API's last usable token only when `force` says so. */
export function checkRevoke(tokens: TokenState[], tokenId: number, now: Date, force: boolean): TokenState {
  const token = find(tokens, tokenId);
  if (!isUsable(token, now)) throw new LifecycleRefusal("not_usable", `token ${token.fingerprint} is already ${token.status}`);
  const othersUsable = tokens.some((other) => other.id !== token.id && isUsable(other, now));
  if (!othersUsable && !force) {
    throw new LifecycleRefusal("last_usable_token", `token ${token.fingerprint} is the last usable token: every callback would be refused (force to revoke anyway)`);
  }
  return token;
}

export function checkCancel(tokens: TokenState[], tokenId: number): TokenState {
  const token = find(tokens, tokenId);
  if (token.status !== "pending") throw new LifecycleRefusal("not_pending", `token ${token.fingerprint} is ${token.status}, not pending`);
  if (token.firstSeenAt) throw new LifecycleRefusal("already_used", `token ${token.fingerprint} was already used by Douane`);
  return token;
}

export function dueToExpire(tokens: TokenState[], now: Date): TokenState[] {
  return tokens.filter((token) => token.status === "retiring" && token.expiresAt !== null && token.expiresAt <= now);
}

export interface TokenWarning {
  tokenId: number;
  fingerprint: string;
  code: "pending_unseen" | "retiring_still_used";
  message: string;
}

export function warningsOf(tokens: TokenState[], now: Date): TokenWarning[] {
  const warnings: TokenWarning[] = [];
  for (const token of tokens) {
    if (token.status === "pending" && !token.firstSeenAt && now.getTime() - token.createdAt.getTime() >= PENDING_UNSEEN_WARNING_MS) {
      warnings.push({
        tokenId: token.id,
        fingerprint: token.fingerprint,
        code: "pending_unseen",
        message: "pending for over 60 minutes and never presented by Douane: was it entered in the customs portal?",
      });
    }
    if (
      token.status === "retiring" && token.expiresAt && token.lastSeenAt && token.expiresAt > now &&
      token.lastSeenAt.getTime() >= token.expiresAt.getTime() - RETIRING_LAST_USE_WARNING_MS
    ) {
      warnings.push({
        tokenId: token.id,
        fingerprint: token.fingerprint,
        code: "retiring_still_used",
        message: "still presented by Douane in the last 5 minutes before its expiry: check the portal holds the new token",
      });
    }
  }
  return warnings;
}

export type ApiStatus = "green" | "yellow" | "red";

/** Like the customs portal's: red, no usable token; yellow, a rotation in progress or a warning; else green. */
export function statusOf(tokens: TokenState[], now: Date): ApiStatus {
  if (!tokens.some((token) => isUsable(token, now))) return "red";
  const rotating = tokens.some((token) => token.status === "pending" || (token.status === "retiring" && isUsable(token, now)));
  return rotating || warningsOf(tokens, now).length > 0 ? "yellow" : "green";
}

function find(tokens: TokenState[], tokenId: number): TokenState {
  const token = tokens.find((candidate) => candidate.id === tokenId);
  if (!token) throw new LifecycleRefusal("not_found", `no token ${tokenId} for this API`);
  return token;
}
