import { createHash, timingSafeEqual } from "node:crypto";

/** What the intake needs to know of a stored token: never the token itself, only its hash. */
export interface KnownToken {
  id: number;
  api: string;
  hash: Buffer;
  fingerprint: string;
  status: string;
  expiresAt: Date | null;
}

export const hashToken = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

/** A short, non-secret name for a token, safe to show in lists and logs. */
export const fingerprintOf = (token: string): string =>
  createHash("sha256").update(`fingerprint:${token}`, "utf8").digest("hex").slice(0, 12);

export function isAccepted(token: Pick<KnownToken, "status" | "expiresAt">, now: Date): boolean {
  if (token.status === "active" || token.status === "pending") return true;
  return token.status === "retiring" && token.expiresAt !== null && token.expiresAt > now;
}

/** The token among `known` that `presented` matches and that is accepted now, or null.
 *  Compares every candidate's hash in constant time and never stops early. */
export function verifyToken(known: KnownToken[], presented: string, now: Date): KnownToken | null {
  const presentedHash = hashToken(presented);
  let match: KnownToken | null = null;
  for (const token of known) {
    if (timingSafeEqual(token.hash, presentedHash) && isAccepted(token, now)) match = token;
  }
  return match;
}

/** The token in a request header. With `Authorization`, `Bearer <token>` (any case) or the bare token, as
 *  HMRC's notification service sends it; any other configured header carries the token as its whole value. */
export function readPresentedToken(headerName: string, value: string | string[] | undefined): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (headerName === "authorization") {
    const bearer = /^bearer\s+(\S+)$/i.exec(trimmed);
    if (bearer) return bearer[1];
  }
  return trimmed === "" ? null : trimmed;
}
