import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { errors } from "../http/error-catalog";
import { fingerprintOf, hashToken } from "../tokens/verify";

export interface InternalCredentials {
  /** INTERNAL_API_TOKEN: every route. */
  admin: string[];
  /** INTERNAL_READ_TOKEN: reads only (GET, HEAD, /metrics). */
  read: string[];
}

const READ_METHODS = new Set(["GET", "HEAD"]);

/** The internal API's bearer check. Several tokens may be configured per role so each credential can be
 *  rotated too. Every known credential is compared, whatever matched first, so the time taken says nothing.
 *  The actor recorded in audit logs is the `X-Actor` header (free text, e.g. a person) and the fingerprint of
 *  the credential used, which is what really vouches for the call. */
export function requireInternalCredential(credentials: InternalCredentials): RequestHandler {
  const known = [
    ...credentials.admin.map((token) => ({ hash: hashToken(token), fingerprint: fingerprintOf(token), admin: true })),
    ...credentials.read.map((token) => ({ hash: hashToken(token), fingerprint: fingerprintOf(token), admin: false })),
  ];
  return (req, res, next) => {
    const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? "");
    const presented = bearer ? hashToken(bearer[1]) : null;
    let match: (typeof known)[number] | null = null;
    for (const candidate of known) if (presented && timingSafeEqual(candidate.hash, presented)) match = candidate;
    if (!match) {
      throw errors.unauthorized({
        message: "Authorization: Bearer <INTERNAL_API_TOKEN or INTERNAL_READ_TOKEN> is required",
        realm: "internal",
      });
    }
    if (!match.admin && !READ_METHODS.has(req.method)) {
      throw errors.readOnlyCredential({ fingerprint: match.fingerprint, method: req.method });
    }
    const named = typeof req.headers["x-actor"] === "string" ? req.headers["x-actor"].trim().slice(0, 100) : "";
    res.locals.actor = named ? `${named} (credential ${match.fingerprint})` : `credential ${match.fingerprint}`;
    next();
  };
}
