import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { HttpError } from "../http/errors";
import { fingerprintOf, hashToken } from "../tokens/verify";

/** The internal API's bearer check. Several tokens may be configured at once so this credential can be
 *  rotated too. The actor recorded in audit logs is the `X-Actor` header (free text, e.g. a person) and the
 *  fingerprint of the credential used, which is what really vouches for the call. */
export function requireInternalCredential(tokens: string[]): RequestHandler {
  const hashes = tokens.map((token) => ({ hash: hashToken(token), fingerprint: fingerprintOf(token) }));
  return (req, res, next) => {
    const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? "");
    const presented = bearer ? hashToken(bearer[1]) : null;
    let fingerprint: string | null = null;
    for (const known of hashes) if (presented && timingSafeEqual(known.hash, presented)) fingerprint = known.fingerprint;
    if (!fingerprint) {
      throw new HttpError(401, "unauthorized", "Authorization: Bearer <INTERNAL_API_TOKEN> is required", {}, { "WWW-Authenticate": 'Bearer realm="internal"' });
    }
    const named = typeof req.headers["x-actor"] === "string" ? req.headers["x-actor"].trim().slice(0, 100) : "";
    res.locals.actor = named ? `${named} (credential ${fingerprint})` : `credential ${fingerprint}`;
    next();
  };
}
