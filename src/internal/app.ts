import express, { type Express, type Router } from "express";
import type { Logger } from "pino";
import { baseApp } from "../http/base-app";
import type { ReadinessCheck } from "../http/health";
import type { Metrics } from "../http/metrics";
import { openApiRoute } from "../http/openapi";
import { type RouteDefinition, routerOf } from "../http/routes";
import { type InternalCredentials, requireInternalCredential } from "./credentials";

export interface InternalAppDeps {
  credentials: InternalCredentials;
  routes: RouteDefinition[];
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<ReadinessCheck>;
  /** The ops console: it signs people in with its own session cookie, so it comes before the bearer check. */
  console?: Router;
  /** Sets the gauges sampled from the database, just before a scrape is answered. */
  sampleMetrics: () => Promise<void>;
}

/** The internal listener (never the Douane-facing one): queries, quarantine, token administration. */
export function createInternalApp(deps: InternalAppDeps): Express {
  return baseApp({ listener: "internal", logger: deps.logger, readiness: deps.readiness }, (app) => {
    if (deps.console) app.use(deps.console);
    app.use(requireInternalCredential(deps.credentials));
    app.get("/metrics", async (_req, res) => {
      await deps.sampleMetrics();
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    });
    // A Creation_H7 holds a whole declaration (up to 99 items) and a bulk of expectations up to 500: more than
    // the 64 KiB that serve every other internal call. The first parser to run wins (body-parser skips a parsed body).
    app.use(["/v1/outbound", "/v1/expectations"], express.json({ limit: "5mb" }));
    app.use(express.json({ limit: "64kb" }));
    const info = { title: "douane-callback-receiver internal API", version: "1" };
    app.use(routerOf([...deps.routes, openApiRoute(deps.routes, info)]));
  });
}
