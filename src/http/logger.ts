import pino, { type Logger } from "pino";

/** Credentials never reach a log line: the redaction paths cover every place a header or token could sit. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers[\"proxy-authorization\"]",
  "req.headers.cookie",
  "headers.authorization",
  "token",
  "*.token",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: { service: "douane-callback-receiver" } }, destination);
}
