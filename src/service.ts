import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "pino";
import { BasePathAdmin, startMoveMaintenance } from "./basepaths/admin";
import { basePathRoutes } from "./basepaths/routes";
import { BasePathStore } from "./basepaths/store";
import type { Config } from "./config";
import { consoleRouter } from "./console/app";
import { analyzeSqlite, type Db, openStore, probeWrite } from "./db/client";
import { withDeadline } from "./db/deadline";
import { appliedMigrationCount, applyMigrations, shippedMigrationCount } from "./db/migrate";
import { DestinationCache } from "./delivery/cache";
import { deliveryRoutes } from "./delivery/delivery-routes";
import { destinationRoutes } from "./delivery/destination-routes";
import { DestinationAdmin } from "./delivery/destinations";
import { storedHooks } from "./delivery/enqueue";
import { FeedSignal, feedRoutes } from "./delivery/feed";
import { deliveryWarnings, sampleDeliveryMetrics } from "./delivery/health";
import { DeliveryWorker, type WorkerOptions } from "./delivery/worker";
import { apisOf } from "./douane/apis";
import { cachedReadiness, type ReadinessCheck } from "./http/health";
import { type ListenerLimits, serverOptionsOf } from "./http/listener-limits";
import { createMetrics, type Metrics } from "./http/metrics";
import { createPublicApp } from "./intake/app";
import { deferContinue } from "./intake/body";
import { FailureLimiter } from "./intake/failure-limiter";
import { createInternalApp } from "./internal/app";
import { messageRoutes } from "./messages/routes";
import { MessageWriter } from "./messages/writer";
import { expectationRoutes } from "./outbound/expectation-routes";
import { overdueCounts } from "./outbound/expectations";
import { createOutbound, type Outbound } from "./outbound/outbound";
import { outboundRoutes } from "./outbound/routes";
import { timelineRoutes } from "./outbound/timeline";
import { quarantineRoutes } from "./quarantine/routes";
import { sampleStatus } from "./status/metrics";
import { budgetOf, statusReport } from "./status/report";
import { statusRoutes } from "./status/routes";
import { TokenAdmin } from "./tokens/admin";
import { configuredTokensOf } from "./tokens/configured";
import { startTokenMaintenance } from "./tokens/maintenance";
import { tokenRoutes } from "./tokens/routes";
import { type Clock, TokenStore } from "./tokens/store";
import { automaticSwitch } from "./tokens/switch";
import { startUpkeep } from "./upkeep/run";
import { recordUpkeepGauges, upkeepState } from "./upkeep/state";

export interface Service {
  config: Config;
  db: Db;
  tokens: TokenStore;
  tokenAdmin: TokenAdmin;
  destinations: DestinationAdmin;
  basePathAdmin: BasePathAdmin;
  basePaths: BasePathStore;
  metrics: Metrics;
  outbound: Outbound;
  readiness(): Promise<ReadinessCheck>;
  publicApp: Express;
  /** Null when no internal credential is set: without one there is no way in, so no listener. */
  internalApp: Express | null;
  close(): Promise<void>;
}

/** Builds the whole service on a migrated database, without listening: tests drive it with supertest. */
export interface ServiceOptions {
  clock?: Clock;
  /** False only where the database is known to be migrated already (tests copy a migrated template). */
  migrate?: boolean;
  /** Tests poll faster, shorten the timeout, or fix the jitter. */
  delivery?: Partial<Pick<WorkerOptions, "pollMs" | "timeoutMs" | "random">>;
}

export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const { clock = () => new Date(), migrate = true } = options;
  if (migrate) await applyMigrations(config.database);
  const { db, sql, dropBusyConnections } = await openStore(config.database);
  const apis = apisOf(config.apis);
  const tokens = new TokenStore(db, clock, logger);
  for (const api of config.apis) await tokens.seed(api.name, api.token);
  const tokenAdmin = new TokenAdmin(
    db,
    clock,
    config.TOKEN_ROTATION_WINDOW_MINUTES,
    () => tokens.reload(),
    configuredTokensOf(config),
  );
  tokens.onPendingTokenUsed = automaticSwitch(tokenAdmin, logger);
  await tokens.start();
  const basePaths = new BasePathStore(db, clock, logger);
  const basePathAdmin = new BasePathAdmin(db, clock, config.URL_MOVE_WINDOW_MINUTES, () => basePaths.reload());
  await basePathAdmin.seed(config.apis, logger);
  await basePaths.start();
  const stopMoveMaintenance = startMoveMaintenance(
    basePathAdmin,
    apis.map((api) => api.name),
    logger,
  );
  const stopMaintenance = startTokenMaintenance(
    tokenAdmin,
    apis.map((api) => api.name),
    logger,
  );
  const stopUpkeep = startUpkeep(db, config, logger, clock);
  const analyzing =
    config.database.provider === "sqlite"
      ? setInterval(
          () => analyzeSqlite(db, "periodic").catch((error) => logger.warn({ err: error }, "PRAGMA optimize failed")),
          60 * 60_000,
        ).unref()
      : null;
  for (const api of apis) {
    if (tokens.usableTokenCount(api.name) === 0)
      logger.warn({ api: api.name }, "no usable token: every callback will be refused with 401");
  }
  const destinationCache = new DestinationCache(db, logger);
  await destinationCache.start();
  const destinations = new DestinationAdmin(db, clock, () => destinationCache.reload());
  const stored = storedHooks(config.database.provider, () => destinationCache.all, clock);
  const metrics = createMetrics();
  const worker = config.DELIVERY_WORKER
    ? new DeliveryWorker(
        db,
        sql,
        destinationCache,
        {
          clock,
          maxInFlight: config.DELIVERY_MAX_IN_FLIGHT,
          timeoutMs: config.DELIVERY_TIMEOUT_SECONDS * 1000,
          pollMs: 1_000,
          ...options.delivery,
        },
        logger,
        metrics,
      )
    : null;
  worker?.start();
  const feedSignal = new FeedSignal();
  const outbound = createOutbound(config, db, { clock, logger, metrics });
  const writer = new MessageWriter(db, sql, {
    commitTimeoutMs: config.DB_COMMIT_TIMEOUT_MS,
    onOverrun: () =>
      logger.error(
        { timeoutMs: config.DB_COMMIT_TIMEOUT_MS, dropped: dropBusyConnections() },
        "a group commit overran: its callers got 503, busy connections replaced",
      ),
    onCommit: (messages, seconds) => {
      metrics.commitSeconds.observe(seconds);
      metrics.commitBatchSize.observe(messages);
      worker?.wake();
      feedSignal.notify();
      outbound.reconciler.nudge(); // a stored message may be an expected return
    },
    onStored: stored.writer,
  });
  const withoutUsableToken = () => apis.filter((api) => tokens.usableTokenCount(api.name) === 0).map((api) => api.name);
  const readiness = cachedReadiness(
    readinessCheck(db, config, () => tokens.loadedAt !== null, withoutUsableToken),
    READINESS_CACHE_MS,
    clock,
    () => `${writer.lastCommitFailed} ${withoutUsableToken()}`,
  );
  const publicApp = createPublicApp({
    apis,
    db,
    tokens,
    basePaths,
    writer,
    validationMode: config.VALIDATION_MODE,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxInflightBytes: config.MAX_INFLIGHT_BYTES,
    logger,
    metrics,
    failureLimiter: new FailureLimiter(config.AUTH_FAILURE_LIMIT_PER_MINUTE, clock),
    readiness,
    trustProxy: config.TRUST_PROXY,
    clock,
  });
  const report = () =>
    statusReport(db, tokenAdmin, apis, budgetOf(config), clock(), {
      basePaths: basePathAdmin,
      deliveryWarnings: async (api) => deliveryWarnings(await destinations.list(), api, clock()),
      overdueExpectations: () => overdueCounts(db, clock()),
    });
  const credentials = { admin: config.INTERNAL_API_TOKEN ?? [], read: config.INTERNAL_READ_TOKEN ?? [] };
  const internalOn = credentials.admin.length + credentials.read.length > 0;
  if (!internalOn)
    logger.warn("neither INTERNAL_API_TOKEN nor INTERNAL_READ_TOKEN is set: the internal API listener stays off");
  const internalRoutes = [
    ...statusRoutes(report),
    ...messageRoutes(db),
    ...quarantineRoutes(db, stored.accept, clock),
    ...tokenRoutes(apis, tokenAdmin),
    ...basePathRoutes(apis, basePathAdmin, basePaths),
    ...destinationRoutes(destinations),
    ...deliveryRoutes({ db, sql, admin: destinations, clock, wake: () => worker?.wake() }),
    ...feedRoutes(db, feedSignal),
    ...outboundRoutes(db, outbound),
    ...expectationRoutes(db, outbound, apis.map((api) => api.name) as [string, ...string[]]),
    ...timelineRoutes(db, clock),
  ];
  const internalApp = internalOn
    ? createInternalApp({
        credentials,
        routes: internalRoutes,
        logger,
        metrics,
        readiness,
        sampleMetrics: async () => {
          const status = await report();
          sampleStatus(metrics, status, clock());
          for (const item of status.items) metrics.overdueExpectations.set({ api: item.api }, item.overdueExpectations);
          await sampleDeliveryMetrics(db, metrics, clock());
          recordUpkeepGauges(metrics, await upkeepState(db, config, clock()), clock());
        },
        console: consoleRouter({
          routes: internalRoutes,
          adminCredentials: credentials.admin,
          readCredentials: credentials.read,
          clock,
        }),
      })
    : null;
  return {
    config,
    db,
    tokens,
    tokenAdmin,
    destinations,
    basePathAdmin,
    basePaths,
    metrics,
    outbound,
    readiness,
    publicApp,
    internalApp,
    async close() {
      // A stalled database must not hold the shutdown: each step is bounded, and a failed one does not skip the next.
      const bounded = (work: Promise<unknown>, what: string) =>
        withDeadline(work, config.DB_STATEMENT_TIMEOUT_MS, what).catch((error) =>
          logger.warn({ err: error }, `${what} failed while closing`),
        );
      stopMaintenance();
      stopUpkeep();
      stopMoveMaintenance();
      destinationCache.stop();
      if (analyzing) clearInterval(analyzing);
      await bounded(worker?.stop() ?? Promise.resolve(), "stopping the delivery worker");
      await bounded(outbound.stop(), "stopping the outbound reconciler");
      await bounded(basePaths.stop(), "saving base path call counts");
      await bounded(tokens.stop(), "saving token use counts");
      await bounded(db.$disconnect(), "closing the database");
    },
  };
}

const READINESS_CACHE_MS = 1_000;

/** Ready: the database answers, holds every migration we ship, would take a write now (a table lock, a
 *  read-only file or a stalled connection all fail it), and the tokens are loaded. Each check is bounded. */
function readinessCheck(
  db: Db,
  config: Config,
  tokensLoaded: () => boolean,
  withoutUsableToken: () => string[],
): () => Promise<ReadinessCheck> {
  const migrationsShipped = shippedMigrationCount(config.database.provider);
  const bound = <T>(work: Promise<T>, what: string) => withDeadline(work, config.DB_STATEMENT_TIMEOUT_MS, what);
  return async () => {
    const [applied, writable] = await Promise.all([
      bound(appliedMigrationCount(db), "the migration count").catch(() => null),
      bound(probeWrite(db), "the write probe").then(
        () => true,
        () => false,
      ),
    ]);
    const apisWithoutUsableToken = withoutUsableToken();
    const checks = {
      database: applied !== null,
      migrations: applied !== null && applied >= migrationsShipped,
      writes: writable,
      tokens: tokensLoaded() && apisWithoutUsableToken.length === 0,
    };
    return { ready: Object.values(checks).every(Boolean), checks, apisWithoutUsableToken };
  };
}

export interface ListenOptions {
  port: number;
  host: string;
  tls?: { certFile: string; keyFile: string };
  limits: ListenerLimits;
  /** The public listener: 100 Continue only once the caller is authenticated (see intake/body.ts). */
  deferContinue?: boolean;
  /** Called for each connection closed on arrival because `limits.maxConnections` are open. */
  onDrop?: () => void;
}

/** Starts a listener, HTTPS when given a certificate, with its connections capped and timed out so neither
 *  silent nor slow clients can hold them (docs/operations-edge.md). */
export function listen(app: Express, options: ListenOptions): Promise<http.Server> {
  const serverOptions = serverOptionsOf(options.limits);
  const server = options.tls
    ? https.createServer(
        { ...serverOptions, cert: fs.readFileSync(options.tls.certFile), key: fs.readFileSync(options.tls.keyFile) },
        app,
      )
    : http.createServer(serverOptions, app);
  server.maxConnections = options.limits.maxConnections;
  if (options.deferContinue) server.on("checkContinue", deferContinue(app));
  if (options.onDrop) server.on("drop", options.onDrop);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

export const portOf = (server: http.Server) => (server.address() as AddressInfo).port;
