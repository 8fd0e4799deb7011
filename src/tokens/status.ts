import { z } from "zod";

/** Every status a stored token can have: the one list the type, the API schema and the rules derive from. */
export const TOKEN_STATUSES = ["active", "pending", "retiring", "expired", "revoked"] as const;
export const tokenStatusSchema = z.enum(TOKEN_STATUSES);
export type TokenStatus = z.infer<typeof tokenStatusSchema>;

/** A database row's status, checked: an unknown word is a bug or a foreign write, never silently "usable". */
export const tokenStatusOf = (status: string): TokenStatus => tokenStatusSchema.parse(status);

/** The retired statuses: the token is refused, but its hash is kept to tell a retired token from an unknown one. */
export const isRetired = (status: TokenStatus): status is "expired" | "revoked" =>
  status === "expired" || status === "revoked";

/**
 * THE rule "is this token usable": a callback presenting it at `now` is accepted. Active and pending tokens
 * are; a retiring one until its `expiresAt` (exclusive); expired and revoked ones never.
 */
export function isUsable(token: { status: TokenStatus; expiresAt: Date | null }, now: Date): boolean {
  if (token.status === "active" || token.status === "pending") return true;
  return token.status === "retiring" && token.expiresAt !== null && token.expiresAt > now;
}

/**
 * Whether the token keeps the API reachable for the "last usable token needs force" guard: usable, with no
 * deadline of its own, and known to be held by Douane. So an active token counts, and a pending one only
 * once Douane presented it (a pending token never presented may not be in the portal at all); a retiring
 * token does not (it stops being accepted at its expiry whatever anyone does).
 */
export const keepsApiReachable = (token: { status: TokenStatus; firstSeenAt: Date | null }): boolean =>
  token.status === "active" || (token.status === "pending" && token.firstSeenAt !== null);
