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

/** The fields a request adds to its log line: where it went, which token it used, and how it ended. */
export interface RequestLogFields {
  api?: string;
  basePath?: string;
  tokenFingerprint?: string;
  authFailure?: string;
  headerNames?: string[];
  channel?: string;
  messageId?: string | null;
  outcome?: string;
  rowId?: number;
  quarantineId?: number | null;
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

/** Adds to the request's log line (one object per request, added to in place: cheaper than a copy at each step). */
export function addToLog(res: Response, fields: RequestLogFields): void {
  if (res.locals.log) Object.assign(res.locals.log, fields);
  else res.locals.log = { ...fields };
}
