import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { ApiDefinition } from "../douane/apis";
import { errors } from "../http/error-catalog";
import { addToLog } from "../http/locals";
import type { Metrics } from "../http/metrics";
import type { TokenStore } from "../tokens/store";
import { readPresentedToken } from "../tokens/verify";
import { type FailureLimiter, sourceOf } from "./failure-limiter";

declare global {
  namespace Express {
    interface Locals {
      /** The token an accepted callback came with: its id is stored with the message. */
      token?: { id: number; fingerprint: string };
    }
  }
}

/** Runs before the body is read: an unauthenticated caller costs us no body and leaves no row.
 *  A valid token always passes; only a source that keeps failing gets 429 instead of 401. */
export function authenticate(
  api: ApiDefinition,
  tokens: TokenStore,
  limiter: FailureLimiter,
  metrics: Metrics,
  logger: Logger,
): RequestHandler {
  return (req, res, next) => {
    const presented = readPresentedToken(api.authHeader, req.headers[api.authHeader]);
    const outcome = presented === null ? null : tokens.authenticate(api.name, presented);
    if (outcome?.accepted) {
      const { token } = outcome;
      res.locals.token = { id: token.id, fingerprint: token.fingerprint };
      addToLog(res, { api: api.name, tokenFingerprint: token.fingerprint });
      metrics.tokenUses.inc({ api: api.name, fingerprint: token.fingerprint, status: token.status });
      return next();
    }
    const source = req.ip ?? req.socket.remoteAddress ?? "unknown";
    if (limiter.isLimited(source)) {
      metrics.authFailures.inc({ api: api.name, reason: "rate_limited" });
      throw errors.tooManyFailures({ retryAfterSeconds: limiter.retryAfterSeconds(source) });
    }
    if (limiter.recordFailure(source)) {
      // One line per source and minute; its 429s are then logged at debug level only.
      logger.warn(
        { api: api.name, source: sourceOf(source) },
        "too many failed authentications: this source gets 429 for the rest of its minute",
      );
    }
    const reason = outcome === null ? "missing_token" : outcome.reason;
    metrics.authFailures.inc({ api: api.name, reason });
    // Header names only: which header Douane used is worth knowing, its value never. A retired token is
    // named by its fingerprint, which is no secret and tells ops which old token Douane still holds.
    const retired = outcome?.token ? { tokenFingerprint: outcome.token.fingerprint } : {};
    addToLog(res, { api: api.name, authFailure: reason, ...retired, headerNames: Object.keys(req.headers) });
    throw errors.unauthorized({ message: refusalMessage(reason, api.authHeader), realm: api.name, reason });
  };
}

function refusalMessage(reason: string, header: string): string {
  if (reason === "expired_token")
    return `this token's rotation window has ended: present the current token in the ${header} header`;
  if (reason === "revoked_token") return `this token was revoked: present the current token in the ${header} header`;
  return `a valid token is required in the ${header} header`;
}
