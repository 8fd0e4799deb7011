import express, { type Express } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Config } from "../config";
import { errors } from "./error-catalog";
import { errorHandler } from "./errors";
import { healthRoutes, type ReadinessCheck } from "./health";
import { requestLogger } from "./logger";

export interface BaseAppOptions {
  listener: "public" | "internal";
  logger: Logger;
  readiness: () => Promise<ReadinessCheck>;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For give the source address (rate limiting, logs). */
  trustProxy?: Config["TRUST_PROXY"];
  /** Read when Express creates the app's router, at its first middleware: so set here, before any. */
  caseSensitiveRouting?: boolean;
}

/** What both listeners share, around the routes `mount` adds: security headers, no ETag, the health checks
 *  (unlogged), one log line per request, a 404 for any other path, and the one error handler. */
export function baseApp(
  options: BaseAppOptions,
  mount: (app: Express) => void,
  { securityHeaders, logRequest, answerError }: AroundEveryRoute = aroundEveryRoute(options),
): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (options.trustProxy !== undefined) app.set("trust proxy", options.trustProxy);
  if (options.caseSensitiveRouting) app.set("case sensitive routing", true);
  app.use(securityHeaders);
  // Under its own path: every other request passes it with one prefix test, without entering its router.
  app.use("/health", healthRoutes(options.readiness));
  app.use(logRequest);
  mount(app);
  app.use(() => {
    throw errors.noSuchEndpoint();
  });
  app.use(answerError);
  return app;
}

/** What every route of a listener runs before and after its own handlers, whether through the app's router or
 *  not (the callbacks: intake/app.ts). */
export type AroundEveryRoute = ReturnType<typeof aroundEveryRoute>;
export function aroundEveryRoute(options: Pick<BaseAppOptions, "listener" | "logger">) {
  return {
    securityHeaders: helmet(),
    logRequest: requestLogger(options.logger, options.listener),
    answerError: errorHandler(options.logger),
  };
}
