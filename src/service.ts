import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "pino";
import type { Config } from "./config";
import { analyzeSqlite, openStore, type Db } from "./db/client";
import { appliedMigrationCount, applyMigrations, shippedMigrationCount } from "./db/migrate";
import type { ReadinessCheck } from "./http/health";
import { createMetrics, type Metrics } from "./http/metrics";
import { apisOf } from "./intake/apis";
import { createPublicApp } from "./intake/app";
import { FailureLimiter } from "./intake/failure-limiter";
import { createInternalApp } from "./internal/app";
import { messageRoutes } from "./messages/routes";
import { MessageWriter } from "./messages/writer";
import { expectationRoutes } from "./outbound/expectation-routes";
import { overdueCounts } from "./outbound/expectations";
import { createOutbound, type Outbound } from "./outbound/outbound";
import { outboundRoutes } from "./outbound/routes";
import { timelineRoutes } from "./outbound/timeline";
import { TokenAdmin } from "./tokens/admin";
import { LifecycleRefusal } from "./tokens/lifecycle";
import { startTokenMaintenance } from "./tokens/maintenance";
import { tokenRoutes } from "./tokens/routes";
import { TokenStore, type Clock } from "./tokens/store";

export interface Service {
  config: Config;
  db: Db;
  tokens: TokenStore;
  tokenAdmin: TokenAdmin;
  metrics: Metrics;
  outbound: Outbound;
  readiness(): Promise<ReadinessCheck>;
  publicApp: Express;
  /** Null when INTERNAL_API_TOKEN is not set: without a credential there is no way in, so no listener. */
  internalApp: Express | null;
  close(): Promise<void>;
}

/** Builds the whole service on a migrated database, without listening: tests drive it with supertest. */
export interface ServiceOptions {
  clock?: Clock;
  /** False only where the database is known to be migrated already (tests copy a migrated template). */
  migrate?: boolean;
}

export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const { clock = () => new Date(), migrate = true } = options;
  if (migrate) await applyMigrations(config.database);
  const { db, sql } = await openStore(config.database);
  const apis = apisOf(config);
  const tokens = new TokenStore(db, clock, logger);
  await tokens.seed("h7", config.H7_TOKEN);
  const tokenAdmin = new TokenAdmin(db, clock, config.TOKEN_ROTATION_WINDOW_MINUTES, () => tokens.reload());
  // Douane presents the new token only once the portal holds it: its first use is the switch.
  tokens.onPendingTokenUsed = async (token) => {
    await tokenAdmin
      .activate({ api: token.api, tokenId: token.id, actor: "douane", reason: "first callback with the pending token" })
      .catch((error) => {
        if (!(error instanceof LifecycleRefusal)) throw error; // another replica switched first
      });
  };
  await tokens.start();
  const stopMaintenance = startTokenMaintenance(tokenAdmin, apis.map((api) => api.name), logger);
  const analyzing = config.database.provider === "sqlite"
    ? setInterval(() => analyzeSqlite(db, "periodic").catch((error) => logger.warn({ err: error }, "PRAGMA optimize failed")), 60 * 60_000).unref()
    : null;
  for (const api of apis) {
    if (tokens.usableTokenCount(api.name) === 0) logger.warn({ api: api.name }, "no usable token: every callback will be refused with 401");
  }
  const metrics = createMetrics();
  const outbound = createOutbound(config, db, { clock, logger, metrics });
  const writer = new MessageWriter(db, sql, (messages, seconds) => {
    metrics.commitSeconds.observe(seconds);
    metrics.commitBatchSize.observe(messages);
    outbound.reconciler.nudge(); // a stored message may be an expected return
  });
  const migrationsShipped = shippedMigrationCount(config.database.provider);
  const readiness = async (): Promise<ReadinessCheck> => {
    const applied = await appliedMigrationCount(db).catch(() => null);
    const checks = { database: applied !== null, migrations: applied !== null && applied >= migrationsShipped, tokens: tokens.loadedAt !== null };
    return { ready: Object.values(checks).every(Boolean), checks };
  };
  const publicApp = createPublicApp({
    apis,
    db,
    tokens,
    writer,
    validationMode: config.VALIDATION_MODE,
    maxBodyBytes: config.MAX_BODY_BYTES,
    logger,
    metrics,
    failureLimiter: new FailureLimiter(config.AUTH_FAILURE_LIMIT_PER_MINUTE, clock),
    readiness,
    trustProxy: config.TRUST_PROXY,
    clock,
  });
  if (!config.INTERNAL_API_TOKEN) logger.warn("INTERNAL_API_TOKEN is not set: the internal API listener stays off");
  const internalApp = config.INTERNAL_API_TOKEN
    ? createInternalApp({
        db,
        credentials: config.INTERNAL_API_TOKEN,
        routes: [
          ...messageRoutes(db),
          ...tokenRoutes(apis, tokenAdmin),
          ...outboundRoutes(db, outbound),
          ...expectationRoutes(db, outbound, apis.map((api) => api.name) as [string, ...string[]]),
          ...timelineRoutes(db, clock),
        ],
        logger,
        metrics,
        sampleGauges: async () => {
          const overdue = await overdueCounts(db, clock());
          for (const api of apis) metrics.overdueExpectations.set({ api: api.name }, overdue.get(api.name) ?? 0);
        },
        readiness,
      })
    : null;
  return {
    config,
    db,
    tokens,
    tokenAdmin,
    metrics,
    outbound,
    readiness,
    publicApp,
    internalApp,
    async close() {
      stopMaintenance();
      await outbound.stop();
      if (analyzing) clearInterval(analyzing);
      await tokens.stop();
      await db.$disconnect();
    },
  };
}

export interface ListenOptions {
  port: number;
  host: string;
  tls?: { certFile: string; keyFile: string };
}

/** Starts a listener, HTTPS when given a certificate, with timeouts so a slow or stalled client cannot hold
 *  a connection forever. Keep-alive outlasts common load balancers' 60 s idle timeout. */
export function listen(app: Express, options: ListenOptions): Promise<http.Server> {
  const server = options.tls
    ? https.createServer({ cert: fs.readFileSync(options.tls.certFile), key: fs.readFileSync(options.tls.keyFile) }, app)
    : http.createServer(app);
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

export const portOf = (server: http.Server) => (server.address() as AddressInfo).port;
