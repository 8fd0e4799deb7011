import type { Logger } from "pino";
import { BasePathAdmin, startMoveMaintenance } from "../basepaths/admin";
import { BasePathStore } from "../basepaths/store";
import type { Config } from "../config";
import { analyzeSqlite, type Db } from "../db/client";
import type { DriverSql } from "../db/driver";
import { DestinationCache } from "../delivery/cache";
import { DestinationAdmin } from "../delivery/destinations";
import { storedHooks } from "../delivery/enqueue";
import { FeedSignal } from "../delivery/feed";
import { DeliveryWorker, type WorkerOptions } from "../delivery/worker";
import type { ApiDefinition } from "../douane/apis";
import type { Metrics } from "../http/metrics";
import { TokenAdmin } from "../tokens/admin";
import { configuredTokensOf } from "../tokens/configured";
import { startTokenMaintenance } from "../tokens/maintenance";
import { type Clock, TokenStore } from "../tokens/store";
import { automaticSwitch } from "../tokens/switch";
import { startUpkeep } from "../upkeep/run";

/** What every step needs: the database, the configuration, the clock and the logger. */
export interface Ground {
  db: Db;
  config: Config;
  clock: Clock;
  logger: Logger;
}

/** The token set, seeded from the environment, cached, and switched over at Douane's first use of a pending token. */
export async function startTokens({ db, config, clock, logger }: Ground) {
  // Each needs the other: the admin reloads the store after a change, the store asks the admin to switch.
  const tokenAdmin = new TokenAdmin(
    db,
    clock,
    config.TOKEN_ROTATION_WINDOW_MINUTES,
    (): Promise<void> => tokens.reload(),
    configuredTokensOf(config),
  );
  const tokens = new TokenStore(db, clock, logger, automaticSwitch(tokenAdmin, logger));
  for (const api of config.apis) await tokens.seed(api.name, api.token);
  await tokens.start();
  for (const api of config.apis) {
    if (tokens.usableTokenCount(api.name) === 0) {
      logger.warn({ api: api.name }, "no usable token: every callback will be refused with 401");
    }
  }
  return { tokens, tokenAdmin };
}

/** The base paths served (the current ones, and the previous one during a URL move), from the database. */
export async function startBasePaths({ db, config, clock, logger }: Ground) {
  const basePaths = new BasePathStore(db, clock, logger);
  const basePathAdmin = new BasePathAdmin(db, clock, config.URL_MOVE_WINDOW_MINUTES, () => basePaths.reload());
  await basePathAdmin.seed(config.apis, logger);
  await basePaths.start();
  return { basePaths, basePathAdmin };
}

export type DeliveryTuning = Partial<Pick<WorkerOptions, "pollMs" | "timeoutMs" | "random">>;

/** Destinations, the hooks that create deliveries in the writer's transaction, the worker that sends them, and
 *  the signal that wakes the feed's long polls. */
export async function startDelivery(
  { db, config, clock, logger }: Ground,
  sql: DriverSql,
  metrics: Metrics,
  tuning: DeliveryTuning = {},
) {
  const destinationCache = new DestinationCache(db, logger);
  await destinationCache.start();
  const destinations = new DestinationAdmin(db, clock, () => destinationCache.reload());
  const stored = storedHooks(config.database.provider, () => destinationCache.all, clock);
  const worker = config.DELIVERY_WORKER
    ? new DeliveryWorker(
        sql,
        destinationCache,
        {
          clock,
          maxInFlight: config.DELIVERY_MAX_IN_FLIGHT,
          timeoutMs: config.DELIVERY_TIMEOUT_SECONDS * 1000,
          pollMs: 1_000,
          ...tuning,
        },
        logger,
        metrics,
      )
    : null;
  worker?.start();
  return { destinationCache, destinations, stored, worker, feedSignal: new FeedSignal() };
}

/** The timers: token expiry and warnings, URL-move retirement, archive and retention, SQLite statistics.
 *  Returns what stops them all. */
export function startBackgroundJobs(
  ground: Ground,
  apis: ApiDefinition[],
  tokenAdmin: TokenAdmin,
  basePathAdmin: BasePathAdmin,
): () => void {
  const { db, config, clock, logger } = ground;
  const names = apis.map((api) => api.name);
  const stops = [
    startTokenMaintenance(tokenAdmin, names, logger),
    startMoveMaintenance(basePathAdmin, names, logger),
    startUpkeep(db, config, logger, clock),
  ];
  if (config.database.provider === "sqlite") {
    const analyzing = setInterval(
      () => analyzeSqlite(db, "periodic").catch((error) => logger.warn({ err: error }, "PRAGMA optimize failed")),
      60 * 60_000,
    ).unref();
    stops.push(() => clearInterval(analyzing));
  }
  return () => {
    for (const stop of stops) stop();
  };
}
