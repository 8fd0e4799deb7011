import { randomUUID } from "node:crypto";
import type { RequestHandler, Response } from "express";
import pino, { type Logger } from "pino";
import { pinoHttp } from "pino-http";

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
 *  latency, and what the intake learned (api, channel, messageId, outcome) from `res.locals.log`. */
export function requestLogger(logger: Logger, listener: "public" | "internal"): RequestHandler {
  return pinoHttp({
    // A binding, not a custom prop: pino-http applies custom props to the request's logger and again to its
    // response line, which wrote "listener" twice.
    logger: logger.child({ listener }),
    genReqId: (req, res) => {
      const given = req.headers["x-request-id"];
      const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    serializers: {
      // The client's address as the trusted proxies give it (TRUST_PROXY), not the last proxy's.
      req: (req) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: (req.raw as { ip?: string }).ip ?? req.remoteAddress,
      }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
    // pino-http hands over Node's response: it is Express's one, with res.locals, once Express has seen the request.
    customProps: (_req, res) => ({ ...(res as Partial<Response>).locals?.log }),
    // A limited source's 429s at debug: a flood of them would bury everything else (one warn says it began).
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500
        ? "error"
        : res.statusCode === 429
          ? "debug"
          : res.statusCode >= 400
            ? "warn"
            : "info",
    customSuccessMessage: (req, res) => `${req.method} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${res.statusCode}`,
    quietReqLogger: true,
  });
}
