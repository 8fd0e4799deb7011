import { createHash, timingSafeEqual } from "node:crypto";
import { isUsable, type TokenStatus } from "./status";

/** What the intake needs to know of a stored token, retired ones included: never the token itself, only its hash. */
export interface KnownToken {
  id: number;
  api: string;
  hash: Buffer;
  fingerprint: string;
  status: TokenStatus;
  expiresAt: Date | null;
}

export const hashToken = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

/** A short, non-secret name for a token, safe to show in lists and logs. */
export const fingerprintOf = (token: string): string =>
  createHash("sha256").update(`fingerprint:${token}`, "utf8").digest("hex").slice(0, 12);

/** The token among `known` that `presented` is, whatever its status, or null.
 *  Compares every candidate's hash in constant time and never stops early. */
export function identifyToken(known: KnownToken[], presented: string): KnownToken | null {
  const presentedHash = hashToken(presented);
  let match: KnownToken | null = null;
  for (const token of known) {
    if (timingSafeEqual(token.hash, presentedHash)) match = token;
  }
  return match;
}

/** The token among `known` that `presented` matches and that is usable now, or null. */
export function verifyToken(known: KnownToken[], presented: string, now: Date): KnownToken | null {
  const token = identifyToken(known, presented);
  return token && isUsable(token, now) ? token : null;
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
