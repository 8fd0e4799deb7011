import express, { type Express } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Db } from "../db/client";
import { errorHandler, HttpError } from "../http/errors";
import { healthRoutes, type ReadinessCheck } from "../http/health";
import { requestLogger } from "../http/logger";
import type { Metrics } from "../http/metrics";
import { defineRoute, openApiDocument, routerOf, type RouteDefinition } from "../http/routes";
import { requireInternalCredential } from "./credentials";

export interface InternalAppDeps {
  db: Db;
  credentials: string[];
  routes: RouteDefinition[];
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<ReadinessCheck>;
  /** Sets the gauges read from the database, just before a scrape. */
  sampleGauges?: () => Promise<void>;
}

/** The internal listener (never the Douane-facing one): queries, quarantine, token administration. */
export function createInternalApp(deps: InternalAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(helmet());
  app.use(healthRoutes(deps.readiness));
  app.use(requestLogger(deps.logger, "internal"));
  app.use(requireInternalCredential(deps.credentials));
  app.get("/metrics", async (_req, res) => {
    for (const row of await deps.db.quarantinedBody.groupBy({ by: ["api"], where: { acceptedAt: null }, _count: { _all: true } })) {
      deps.metrics.quarantineSize.set({ api: row.api }, row._count._all);
    }
    await deps.sampleGauges?.();
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  // A Creation_H7 holds a whole declaration (up to 99 items) and a bulk of expectations up to 500: more than
  // the 64 KiB that serve every other internal call. The first parser to run wins (body-parser skips a parsed body).
  app.use(["/v1/outbound", "/v1/expectations"], express.json({ limit: "5mb" }));
  app.use(express.json({ limit: "64kb" }));
  const openApi = defineRoute({
    method: "get",
    path: "/v1/openapi.json",
    summary: "This API's OpenAPI 3.1 document, generated from the zod schemas that validate it",
    tag: "meta",
    produces: "application/json",
    handler: async ({ res }) => {
      res.json(openApiDocument([...deps.routes, openApi], { title: "douane-callback-receiver internal API", version: "1" }));
    },
  });
  app.use(routerOf([...deps.routes, openApi]));
  app.use(() => {
    throw new HttpError(404, "not_found", "no such endpoint");
  });
  app.use(errorHandler(deps.logger));
  return app;
}
