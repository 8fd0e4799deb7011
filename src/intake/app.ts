import type { RequestListener } from "node:http";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import type { BasePathStore } from "../basepaths/store";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { ApiDefinition } from "../douane/apis";
import { aroundEveryRoute, baseApp } from "../http/base-app";
import { errors } from "../http/error-catalog";
import type { ReadinessCheck } from "../http/health";
import { addToLog } from "../http/locals";
import type { Metrics } from "../http/metrics";
import { middlewareChain } from "../http/middleware-chain";
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

/** The Douane-facing listener: the callbacks under each API's registered base path, health checks, and a 404
 *  for any other path. A callback does not go through the app's router: the same middlewares run as one fixed chain
 *  per API (http/middleware-chain.ts), the path tested once. */
export function createPublicApp(deps: PublicAppDeps): RequestListener {
  const { logger, readiness, trustProxy } = deps;
  const around = aroundEveryRoute({ listener: "public", logger });
  // Case-sensitive, as the base paths are: /HEALTH/live is no health check either. No routes of its own: the
  // callbacks take the chains below.
  const app = baseApp(
    { listener: "public", logger, readiness, trustProxy, caseSensitiveRouting: true },
    () => {},
    around,
  );
  const inflight = new InflightBytes(deps.maxInflightBytes, (held, refused) => {
    deps.metrics.bodyBytesInFlight.set(held);
    if (refused) deps.metrics.busyRefusals.inc();
  });
  const callbacks = new Map(
    deps.apis.map((api) => [
      api.name,
      middlewareChain(
        app,
        [around.securityHeaders, around.logRequest, enterBasePath(deps), ...intakeOf(api, deps, inflight)],
        [keepTooLarge({ ...deps, api }), around.answerError],
      ),
    ]),
  );
  return (req, res) => {
    const path = pathOf(req.url ?? "/");
    const served = isHealth(path) ? null : deps.basePaths.match(path);
    const intake = served && callbacks.get(served.api);
    if (intake) intake(req, res);
    else app(req, res);
  };
}

const pathOf = (url: string) => {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
};

/** The health checks come first, as in the app's router, even under a base path registered as "/health". */
const isHealth = (path: string) => path === "/health" || path.startsWith("/health/");

/** Into the base path the call falls under, from the paths recorded in the database: the current one, and during a
 *  URL move the previous one too. A retired path answers 404, counted. */
function enterBasePath(deps: PublicAppDeps): RequestHandler {
  return (req, res, next) => {
    const served = deps.basePaths.match(req.path);
    if (!served) throw errors.noSuchEndpoint();
    deps.metrics.basePathCalls.inc({ api: served.api, role: served.role });
    if (served.role === "retired") throw errors.noSuchEndpoint({ retiredBasePath: true });
    deps.basePaths.recordCall(served);
    addToLog(res, { basePath: served.basePath });
    // What follows the base path, "/" first as Express's router gives it: "/dh7?x" is "/?x" below "/dh7".
    const below = req.url.slice(served.basePath.length);
    req.url = below.startsWith("/") ? below : `/${below}`;
    req.baseUrl = served.basePath;
    next();
  };
}

function intakeOf(api: ApiDefinition, deps: PublicAppDeps, inflight: InflightBytes): RequestHandler[] {
  return [
    (_req, res, next) => {
      const end = deps.metrics.callbackSeconds.startTimer({ api: api.name });
      res.once("finish", () => end({ code: `${String(res.statusCode)[0]}xx` }));
      next();
    },
    authenticate(api, deps.tokens, deps.failureLimiter, deps.metrics, deps.logger),
    (req, _res, next) => {
      if (req.method !== "POST") throw errors.methodNotAllowed({ allow: "POST" });
      next();
    },
    // Any content type and encoding is read as it came, so a body refused for either can be kept in quarantine.
    readBody(deps.maxBodyBytes, inflight),
    ingest({ ...deps, api }),
  ];
}
