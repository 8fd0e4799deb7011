import type { RequestHandler } from "express";
import { errors } from "../http/error-catalog";
import { bearerTokenOf, fingerprintOf, hashToken, identifyToken } from "../tokens/verify";

export interface InternalCredentials {
  /** INTERNAL_API_TOKEN: every route. */
  admin: string[];
  /** INTERNAL_READ_TOKEN: reads only (GET, HEAD, /metrics). */
  read: string[];
}

/** A configured credential as it is kept in memory: its hash, and the fingerprint that names it in audit logs. */
export interface KnownCredential {
  hash: Buffer;
  fingerprint: string;
  role: "admin" | "read";
}

/** Every configured credential, for the bearer check and the console's sign-in alike. */
export function knownCredentials(credentials: InternalCredentials): KnownCredential[] {
  const known = (role: KnownCredential["role"]) => (token: string) => ({
    hash: hashToken(token),
    fingerprint: fingerprintOf(token),
    role,
  });
  return [...credentials.admin.map(known("admin")), ...credentials.read.map(known("read"))];
}

const READ_METHODS = new Set(["GET", "HEAD"]);

/** The internal API's bearer check. Several tokens may be configured per role so each credential can be
 *  rotated too. Every known credential is compared, whatever matched first, so the time taken says nothing.
 *  The actor recorded in audit logs is the `X-Actor` header (free text, e.g. a person) and the fingerprint of
 *  the credential used, which is what really vouches for the call. */
export function requireInternalCredential(credentials: InternalCredentials): RequestHandler {
  const known = knownCredentials(credentials);
  return (req, res, next) => {
    const presented = bearerTokenOf(req.headers.authorization);
    const match = presented === null ? null : identifyToken(known, presented);
    if (!match) {
      throw errors.unauthorized({
        message: "Authorization: Bearer <INTERNAL_API_TOKEN or INTERNAL_READ_TOKEN> is required",
        realm: "internal",
      });
    }
    if (match.role !== "admin" && !READ_METHODS.has(req.method)) {
      throw errors.readOnlyCredential({ fingerprint: match.fingerprint, method: req.method });
    }
    const named = typeof req.headers["x-actor"] === "string" ? req.headers["x-actor"].trim().slice(0, 100) : "";
    res.locals.actor = named ? `${named} (credential ${match.fingerprint})` : `credential ${match.fingerprint}`;
    next();
  };
}
