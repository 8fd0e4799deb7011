import type { Response } from "express";

declare global {
  namespace Express {
    /** What the middlewares of a request hand on to the ones after them. Each component adds what it sets,
     *  next to the code that sets it: intake/authenticate.ts, console/app.ts. */
    interface Locals {
      /** Who is calling, from the internal credential (internal/credentials.ts): what the routes record. */
      actor?: string;
      /** What the request learned, added to its log line (http/logger.ts). */
      log?: RequestLogFields;
    }
  }
}

/** A value an earlier middleware must have set: its absence is a wiring mistake, never the caller's. */
export function setEarlier<Key extends keyof Express.Locals>(
  res: Response,
  key: Key,
): NonNullable<Express.Locals[Key]> {
  const value = res.locals[key];
  if (value === undefined || value === null) throw new Error(`res.locals.${String(key)} was not set by then`);
  return value;
}

/** The fields a request adds to its log line: where it went, which token it used, and how it ended.
 *  Every field present from the start, so every request's log object has one shape: given its fields a few at a
 *  time instead, each request's object took its own path through V8's hidden classes (~4 µs a request, 0.2 so). */
class RequestLog {
  api?: string = undefined;
  basePath?: string = undefined;
  tokenFingerprint?: string = undefined;
  authFailure?: string = undefined;
  headerNames?: string[] = undefined;
  channel?: string = undefined;
  messageId?: string | null = undefined;
  outcome?: string = undefined;
  rowId?: number = undefined;
  quarantineId?: number | null = undefined;
}

export type RequestLogFields = Partial<RequestLog>;

/** Adds to the request's log line (one object per request, added to in place). */
export function addToLog(res: Response, fields: RequestLogFields): void {
  Object.assign((res.locals.log ??= new RequestLog()), fields);
}
