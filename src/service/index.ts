import type { RequestListener } from "node:http";
import type { Express } from "express";
import type { Logger } from "pino";
import type { BasePathAdmin } from "../basepaths/admin";
import { basePathRoutes } from "../basepaths/routes";
import type { BasePathStore } from "../basepaths/store";
import type { Config } from "../config";
import { consoleRouter } from "../console/app";
import { type Db, openStore } from "../db/client";
import { withDeadline } from "../db/deadline";
import { applyMigrations } from "../db/migrate";
import { deliveryRoutes } from "../delivery/delivery-routes";
import { destinationRoutes } from "../delivery/destination-routes";
import type { DestinationAdmin } from "../delivery/destinations";
import { feedRoutes } from "../delivery/feed";
import { deliveryWarnings, sampleDeliveryMetrics } from "../delivery/health";
import { apisOf } from "../douane/apis";
import { cachedReadiness, type ReadinessCheck } from "../http/health";
import { createMetrics, type Metrics } from "../http/metrics";
import { createPublicApp } from "../intake/app";
import { FailureLimiter } from "../intake/failure-limiter";
import { MessageReader } from "../intake/message-reader";
import { createInternalApp } from "../internal/app";
import { messageRoutes } from "../messages/routes";
import { MessageWriter } from "../messages/writer";
import { expectationRoutes } from "../outbound/expectation-routes";
import { overdueCounts } from "../outbound/expectations";
import { createOutbound, type Outbound } from "../outbound/outbound";
import { outboundRoutes } from "../outbound/routes";
import { timelineRoutes } from "../outbound/timeline";
import { quarantineRoutes } from "../quarantine/routes";
import { closeSupersededAfterCommit } from "../quarantine/store";
import { sampleStatus } from "../status/metrics";
import { budgetOf, statusReport } from "../status/report";
import { statusRoutes } from "../status/routes";
import type { TokenAdmin } from "../tokens/admin";
import { tokenRoutes } from "../tokens/routes";
import type { Clock, TokenStore } from "../tokens/store";
import { recordUpkeepGauges, upkeepState } from "../upkeep/state";
import { READINESS_CACHE_MS, readinessCheck } from "./readiness";
import { type DeliveryTuning, startBackgroundJobs, startBasePaths, startDelivery, startTokens } from "./steps";

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
  publicApp: RequestListener;
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
  delivery?: DeliveryTuning;
}

export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const { clock = () => new Date(), migrate = true } = options;
  if (migrate) await applyMigrations(config.database);
  const { db, sql, dropBusyConnections } = await openStore(config.database);
  const ground = { db, config, clock, logger };
  const apis = apisOf(config.apis);
  const { tokens, tokenAdmin } = await startTokens(ground);
  const { basePaths, basePathAdmin } = await startBasePaths(ground);
  const stopBackgroundJobs = startBackgroundJobs(ground, apis, tokenAdmin, basePathAdmin);
  const metrics = createMetrics();
  const { destinationCache, destinations, stored, worker, feedSignal } = await startDelivery(
    ground,
    sql,
    metrics,
    options.delivery,
  );
  const outbound = createOutbound(config, db, { clock, logger, metrics });
  const writer = new MessageWriter(sql, {
    commitTimeoutMs: config.DB_COMMIT_TIMEOUT_MS,
    onOverrun: () =>
      logger.error(
        { timeoutMs: config.DB_COMMIT_TIMEOUT_MS, dropped: dropBusyConnections() },
        "a group commit overran: its callers got 503, busy connections replaced",
      ),
    onCommit: (messages, seconds) => {
      metrics.commitSeconds.observe(seconds);
      metrics.commitBatchSize.observe(messages);
      worker?.intakeCommitted();
      feedSignal.notify();
      outbound.reconciler.nudge(); // a stored message may be an expected return
    },
    afterInsert: stored.writer,
    onAnswered: closeSupersededAfterCommit(db, logger),
  });
  const withoutUsableToken = () => apis.filter((api) => tokens.usableTokenCount(api.name) === 0).map((api) => api.name);
  const readiness = cachedReadiness(
    readinessCheck(db, config, () => tokens.loadedAt !== null, withoutUsableToken),
    READINESS_CACHE_MS,
    clock,
    () => `${writer.lastCommitFailed} ${withoutUsableToken()}`,
  );
  const reader = new MessageReader(apis, config.apis);
  const publicApp = createPublicApp({
    apis,
    db,
    tokens,
    basePaths,
    writer,
    reader,
    validationMode: config.VALIDATION_MODE,
    simulatedHeader: config.SIMULATED_HEADER,
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
    ...feedRoutes(db, sql, feedSignal),
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
      stopBackgroundJobs();
      destinationCache.stop();
      // Callbacks whose caller left before the answer are still being committed: finished, not cut off.
      await bounded(writer.idle(), "finishing the group commit in flight");
      await bounded(worker?.stop() ?? Promise.resolve(), "stopping the delivery worker");
      await bounded(outbound.stop(), "stopping the outbound reconciler");
      await bounded(basePaths.stop(), "saving base path call counts");
      await bounded(tokens.stop(), "saving token use counts");
      await bounded(reader.close(), "stopping the body reader's thread");
      await bounded(db.$disconnect(), "closing the database");
    },
  };
}

export { listen, portOf } from "./listen";
