import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { HttpError } from "../http/errors";
import type { TokenStore } from "../tokens/store";
import { readPresentedToken } from "../tokens/verify";
import type { ApiDefinition } from "./apis";

/** Runs before the body is read: an unauthenticated caller costs us no body and leaves no row. */
export function authenticate(api: ApiDefinition, tokens: TokenStore, logger: Logger): RequestHandler {
  const challenge = { "WWW-Authenticate": `Bearer realm="${api.name}"` };
  return (req, res, next) => {
    const presented = readPresentedToken(api.authHeader, req.headers[api.authHeader]);
    const token = presented === null ? null : tokens.authenticate(api.name, presented);
    if (!token) {
      const reason = presented === null ? "missing_token" : "invalid_token";
      // Header names only: which header Douane used is worth knowing, its value never.
      logger.warn({ api: api.name, reason, headerNames: Object.keys(req.headers) }, "callback refused: authentication failed");
      throw new HttpError(401, "unauthorized", `a valid token is required in the ${api.authHeader} header`, {}, challenge);
    }
    res.locals.token = { id: token.id, fingerprint: token.fingerprint };
    next();
  };
}
