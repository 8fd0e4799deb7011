import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";

/** An answer we chose to give: its status and stable `error` code travel together. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The database could not take or confirm a write: the sender must retry, we acknowledged nothing. */
export class StorageUnavailable extends Error {
  constructor(readonly cause: unknown) {
    super("storage unavailable");
  }
}

export const RETRY_AFTER_SECONDS = 5;

// body-parser's error types, mapped to our stable codes
const BODY_ERRORS: Record<string, [number, string]> = {
  "entity.too.large": [413, "payload_too_large"],
  "encoding.unsupported": [415, "unsupported_content_encoding"],
  "charset.unsupported": [415, "unsupported_charset"],
  "request.aborted": [400, "request_aborted"],
  "request.size.invalid": [400, "request_size_invalid"],
  "entity.verify.failed": [400, "invalid_body"],
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof HttpError) {
      res
        .set(error.headers)
        .status(error.status)
        .json({ error: error.code, message: error.message, ...error.extra });
      return;
    }
    if (error instanceof StorageUnavailable) {
      logger.error({ err: error.cause, path: req.path }, "storage unavailable: answered 503");
      res
        .set("Retry-After", String(RETRY_AFTER_SECONDS))
        .status(503)
        .json({ error: "storage_unavailable", message: "the message was not stored; retry later" });
      return;
    }
    const known = BODY_ERRORS[(error as { type?: string }).type ?? ""];
    if (known) {
      res.status(known[0]).json({ error: known[1], message: (error as Error).message });
      return;
    }
    const status = (error as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      res.status(status).json({ error: "bad_request", message: (error as Error).message });
      return;
    }
    logger.error({ err: error, path: req.path }, "unexpected error");
    res.status(500).json({ error: "internal", message: "internal error" });
  };
}
