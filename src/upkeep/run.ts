import type { Logger } from "pino";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { type ArchiveRun, archiveMessages } from "./archive";
import { type PurgeReport, purge, type Retention } from "./purge";

/** RETENTION_DAYS and each API's own (<API>_RETENTION_DAYS). */
export function retentionOf(config: Config): Retention {
  return {
    days: config.RETENTION_DAYS,
    byApi: Object.fromEntries(config.apis.map((api) => [api.name, api.retentionDays])),
  };
}

export const retentionIsOn = (retention: Retention) =>
  retention.days !== undefined || Object.values(retention.byApi).some((days) => days !== undefined);

/** One upkeep pass: archive the finished days first, then purge what retention lets go. */
export async function runUpkeep(
  db: Db,
  config: Config,
  now: Date,
): Promise<{ archive: ArchiveRun | null; purge: PurgeReport | null }> {
  const archive = config.ARCHIVE_DIR ? await archiveMessages(db, config.ARCHIVE_DIR, now) : null;
  const retention = retentionOf(config);
  const purged = retentionIsOn(retention)
    ? await purge(db, { now, retention, archiveDir: config.ARCHIVE_DIR, dryRun: false })
    : null;
  return { archive, purge: purged };
}

/** Runs upkeep every UPKEEP_INTERVAL_MINUTES in the service, when there is something to do. */
export function startUpkeep(db: Db, config: Config, logger: Logger, clock: () => Date): () => void {
  if (config.UPKEEP_INTERVAL_MINUTES === 0 || (!config.ARCHIVE_DIR && !retentionIsOn(retentionOf(config))))
    return () => {};
  if (!config.ARCHIVE_DIR) logger.warn("retention is on without ARCHIVE_DIR: purged messages are not archived first");
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      const { archive, purge: purged } = await runUpkeep(db, config, clock());
      logger.info(
        {
          archivedParts: archive?.parts.length,
          archivedThrough: archive?.throughDay,
          purged: purged?.tables,
          damagedArchives: purged?.damagedArchives,
        },
        "upkeep done",
      );
    } catch (error) {
      logger.error({ err: error }, "upkeep failed: it is retried at the next interval");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(pass, 60_000).unref();
  const every = setInterval(pass, config.UPKEEP_INTERVAL_MINUTES * 60_000).unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
