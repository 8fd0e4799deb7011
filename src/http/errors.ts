import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { errors, HttpError } from "./error-catalog";

/** The database could not take or confirm a write: the sender must retry, we acknowledged nothing. */
export class StorageUnavailable extends Error {
  constructor(readonly cause: unknown) {
    super("storage unavailable");
  }
}

/** Every error becomes its catalog answer: `{ error: code, message, …extra }`; what we did not expect, 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    const known = answerOf(error);
    if (known === null) logger.error({ err: error, path: req.path }, "unexpected error");
    else if (error instanceof StorageUnavailable)
      logger.error({ err: error.cause, path: req.path }, "storage unavailable: answered 503");
    const answer = known ?? errors.internal();
    res
      .set(answer.headers)
      .status(answer.status)
      .json({ error: answer.code, message: answer.message, ...answer.extra });
  };
}

function answerOf(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof StorageUnavailable) return errors.storageUnavailable();
  const { type, status, message } = error as { type?: string; status?: unknown; message: string };
  const fromBodyParser = errors.fromBodyParser({ type, message });
  if (fromBodyParser) return fromBodyParser;
  if (typeof status === "number" && status >= 400 && status < 500) return errors.badRequest({ status, message });
  return null;
}
