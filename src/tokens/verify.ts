import { createHash, hash, timingSafeEqual } from "node:crypto";
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

/** Hashed at every callback: one-shot, without a Hash object. */
export const hashToken = (token: string): Buffer => hash("sha256", token, "buffer");

/** A short, non-secret name for a token, safe to show in lists and logs. */
export const fingerprintOf = (token: string): string =>
  createHash("sha256").update(`fingerprint:${token}`, "utf8").digest("hex").slice(0, 12);

/** The candidate among `known` that `presented` is, by the SHA-256 hashes, whatever its status, or null: one check
 *  for Douane tokens, internal credentials and the console's sign-in. Compares every candidate's hash in constant
 *  time and never stops early, so the time taken says nothing of which one matched. */
export function identifyToken<Candidate extends { hash: Buffer }>(
  known: Candidate[],
  presented: string,
): Candidate | null {
  const presentedHash = hashToken(presented);
  let match: Candidate | null = null;
  for (const candidate of known) {
    if (timingSafeEqual(candidate.hash, presentedHash)) match = candidate;
  }
  return match;
}

/** The token among `known` that `presented` matches and that is usable now, or null. */
export function verifyToken(known: KnownToken[], presented: string, now: Date): KnownToken | null {
  const token = identifyToken(known, presented);
  return token && isUsable(token, now) ? token : null;
}

/** The token of an `Authorization` value `Bearer <token>`, the scheme in any case; otherwise null. */
export function bearerTokenOf(value: string | undefined): string | null {
  const bearer = /^bearer\s+(\S+)$/i.exec(value?.trim() ?? "");
  return bearer ? bearer[1] : null;
}

/** The token in a request header. With `Authorization`, `Bearer <token>` (any case) or the bare token, as
 *  HMRC's notification service sends it; any other configured header carries the token as its whole value. */
export function readPresentedToken(headerName: string, value: string | string[] | undefined): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  const bearer = headerName === "authorization" ? bearerTokenOf(trimmed) : null;
  return bearer ?? (trimmed === "" ? null : trimmed);
}
