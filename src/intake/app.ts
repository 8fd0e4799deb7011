import { type Express, type RequestHandler, Router } from "express";
import type { Logger } from "pino";
import type { BasePathStore } from "../basepaths/store";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { ApiDefinition } from "../douane/apis";
import { baseApp } from "../http/base-app";
import { errors } from "../http/error-catalog";
import type { ReadinessCheck } from "../http/health";
import { addToLog } from "../http/locals";
import type { Metrics } from "../http/metrics";
import type { MessageWriter } from "../messages/writer";
import type { TokenStore } from "../tokens/store";
import { authenticate } from "./authenticate";
import { InflightBytes, readBody } from "./body";
import type { FailureLimiter } from "./failure-limiter";
import { ingest, keepTooLarge } from "./ingest";
import type { MessageReader } from "./message-reader";

export interface PublicAppDeps {
  apis: ApiDefinition[];
  db: Db;
  tokens: TokenStore;
  basePaths: BasePathStore;
  writer: MessageWriter;
  reader: MessageReader;
  validationMode: "reject" | "flag";
  simulatedHeader: Config["SIMULATED_HEADER"];
  maxBodyBytes: number;
  /** Bytes of bodies held at once, all requests together: beyond it, 503 with Retry-After. */
  maxInflightBytes: number;
  logger: Logger;
  metrics: Metrics;
  failureLimiter: FailureLimiter;
  readiness: () => Promise<ReadinessCheck>;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For give the source address (rate limiting, logs). */
  trustProxy: Config["TRUST_PROXY"];
  clock: () => Date;
}

/** The Douane-facing listener: one router per API under its registered base path, and health checks. */
export function createPublicApp(deps: PublicAppDeps): Express {
  const { logger, readiness, trustProxy } = deps;
  // Case-sensitive: the base path registered with Douane, in its exact case.
  return baseApp({ listener: "public", logger, readiness, trustProxy, caseSensitiveRouting: true }, (app) => {
    const inflight = new InflightBytes(deps.maxInflightBytes, (held, refused) => {
      deps.metrics.bodyBytesInFlight.set(held);
      if (refused) deps.metrics.busyRefusals.inc();
    });
    app.use(dispatchByBasePath(deps, inflight));
  });
}

/** Routes a call to the API whose base path it falls under, from the paths recorded in the database: the current
 *  one, and during a URL move the previous one too. A retired path answers 404, counted. */
function dispatchByBasePath(deps: PublicAppDeps, inflight: InflightBytes): RequestHandler {
  const routers = new Map(deps.apis.map((api) => [api.name, intakeRouter(api, deps, inflight)]));
  return (req, res, next) => {
    const served = deps.basePaths.match(req.path);
    const router = served && routers.get(served.api);
    if (!served || !router) return next();
    deps.metrics.basePathCalls.inc({ api: served.api, role: served.role });
    if (served.role === "retired") throw errors.noSuchEndpoint({ retiredBasePath: true });
    deps.basePaths.recordCall(served);
    addToLog(res, { basePath: served.basePath });
    const url = req.url;
    req.url = url.slice(served.basePath.length) || "/";
    req.baseUrl = served.basePath;
    router(req, res, (error?: unknown) => {
      req.url = url;
      req.baseUrl = "";
      next(error);
    });
  };
}

function intakeRouter(api: ApiDefinition, deps: PublicAppDeps, inflight: InflightBytes): Router {
  const router = Router({ caseSensitive: true, strict: false });
  router.use((_req, res, next) => {
    const end = deps.metrics.callbackSeconds.startTimer({ api: api.name });
    res.once("finish", () => end({ code: `${String(res.statusCode)[0]}xx` }));
    next();
  });
  router.use(authenticate(api, deps.tokens, deps.failureLimiter, deps.metrics, deps.logger));
  router.use((req, _res, next) => {
    if (req.method !== "POST") throw errors.methodNotAllowed({ allow: "POST" });
    next();
  });
  // Any content type and encoding is read as it came, so a body refused for either can be kept in quarantine.
  router.use(readBody(deps.maxBodyBytes, inflight));
  router.use(ingest({ ...deps, api }));
  router.use(keepTooLarge({ ...deps, api }));
  return router;
}
