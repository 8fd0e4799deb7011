import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import pino, { type Logger } from "pino";

/** Credentials never reach a log line: request headers are not logged at all, and these paths are
 *  redacted wherever else a token could sit. */
const REDACTED_PATHS = ["req.headers", "headers.authorization", "token", "*.token", "authorization", "*.authorization"];

/** One strict JSON object a line: the level as a word, the time as an ISO 8601 instant, each key once. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { service: "douane-callback-receiver" },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** One line per answered request: request id (the caller's X-Request-Id when sane), method, path, status,
 *  latency, and what the intake learned (api, channel, messageId, outcome) from `res.locals.log`.
 *  Written by hand rather than with pino-http: that one builds a child logger per request, about 5 % of the
 *  intake's CPU, even when the line's level is off (the default `warn` drops every 2xx line). */
export function requestLogger(logger: Logger, listener: "public" | "internal"): RequestHandler {
  const log = logger.child({ listener });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", id);
    // 'close' follows 'finish' on every response, and comes alone when the client left first.
    res.once("close", () => {
      const level = levelOf(res.statusCode);
      if (!log.isLevelEnabled(level)) return;
      const line = {
        ...(res.locals.log ?? {}),
        // The client's address as the trusted proxies give it (TRUST_PROXY), not the last proxy's.
        req: { id, method: req.method, url: req.originalUrl, remoteAddress: req.ip ?? req.socket.remoteAddress },
        res: { statusCode: res.statusCode },
        responseTime: Number(process.hrtime.bigint() - started) / 1e6,
      };
      log[level](line, res.writableFinished ? `${req.method} ${res.statusCode}` : `${req.method} aborted`);
    });
    next();
  };
}

/** A limited source's 429s at debug: a flood of them would bury everything else (one warn says it began).
 *  A client gone before its answer is logged at the level of the answer it would have had. */
function levelOf(status: number): "error" | "warn" | "info" | "debug" {
  if (status >= 500) return "error";
  if (status === 429) return "debug";
  return status >= 400 ? "warn" : "info";
}
