import express, { Router, type Express } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Db } from "../db/client";
import { errorHandler, HttpError } from "../http/errors";
import { healthRoutes, type ReadinessCheck } from "../http/health";
import { requestLogger } from "../http/logger";
import type { Metrics } from "../http/metrics";
import type { MessageWriter } from "../messages/writer";
import type { TokenStore } from "../tokens/store";
import type { ApiDefinition } from "./apis";
import { authenticate } from "./authenticate";
import type { FailureLimiter } from "./failure-limiter";
import { ingest, keepTooLarge } from "./ingest";

export interface PublicAppDeps {
  apis: ApiDefinition[];
  db: Db;
  tokens: TokenStore;
  writer: MessageWriter;
  validationMode: "reject" | "flag";
  maxBodyBytes: number;
  logger: Logger;
  metrics: Metrics;
  failureLimiter: FailureLimiter;
  readiness: () => Promise<ReadinessCheck>;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For give the source address (rate limiting, logs). */
  trustProxy: boolean | number | string;
  clock: () => Date;
}

/** The Douane-facing listener: one router per API under its registered base path, and health checks. */
export function createPublicApp(deps: PublicAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", deps.trustProxy);
  app.use(helmet());
  app.use(healthRoutes(deps.readiness));
  app.use(requestLogger(deps.logger, "public"));
  for (const api of deps.apis) app.use(api.basePath, intakeRouter(api, deps));
  app.use(() => {
    throw new HttpError(404, "not_found", "no such endpoint");
  });
  app.use(errorHandler(deps.logger));
  return app;
}

function intakeRouter(api: ApiDefinition, deps: PublicAppDeps): Router {
  const router = Router({ caseSensitive: true, strict: false });
  router.use((_req, res, next) => {
    const end = deps.metrics.callbackSeconds.startTimer({ api: api.name });
    res.once("finish", () => end({ code: `${String(res.statusCode)[0]}xx` }));
    next();
  });
  router.use(authenticate(api, deps.tokens, deps.failureLimiter, deps.metrics, deps.logger));
  router.use((req, _res, next) => {
    if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "Douane callbacks are POST requests", {}, { Allow: "POST" });
    next();
  });
  // Any content type is read, so a body refused for its type can still be kept in quarantine.
  router.use(express.raw({ type: () => true, limit: deps.maxBodyBytes }));
  router.use(ingest({ ...deps, api }));
  router.use(keepTooLarge({ ...deps, api }));
  return router;
}
