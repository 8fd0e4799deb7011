import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Metrics } from "../http/metrics";
import { DAY_MS, lastArchivableDay, nextDay, startOf } from "./days";
import { lastDone } from "./marks";
import { retentionIsOn, retentionOf } from "./run";

export interface UpkeepState {
  databaseBytes: number;
  oldestMessageAt: Date | null;
  lastBackupAt: Date | null;
  lastArchiveAt: Date | null;
  /** Every day up to this one is archived. */
  archivedThrough: string | null;
  /** Retention is on, ARCHIVE_DIR is set, and a day over for more than a day is not archived: the purge is
   *  held back and the raw messages have no copy outside the database. */
  archiveBehind: boolean;
  lastPurgeAt: Date | null;
}

/** Where backups, archives and retention stand: for `status` and the metrics. */
export async function upkeepState(db: Db, config: Config, now: Date): Promise<UpkeepState> {
  const [backup, archive, purge, oldest] = await Promise.all([
    lastDone(db, "backup"),
    lastDone(db, "archive"),
    lastDone(db, "purge"),
    db.message.findFirst({ orderBy: { receivedAt: "asc" }, select: { receivedAt: true } }),
  ]);
  const archivedThrough = typeof archive?.detail.throughDay === "string" ? archive.detail.throughDay : null;
  return {
    databaseBytes: await databaseBytes(db, config.database.provider),
    oldestMessageAt: oldest?.receivedAt ?? null,
    lastBackupAt: backup?.at ?? null,
    lastArchiveAt: archive?.at ?? null,
    archivedThrough,
    archiveBehind: await isArchiveBehind(db, config, archivedThrough, now),
    lastPurgeAt: purge?.at ?? null,
  };
}

async function isArchiveBehind(db: Db, config: Config, archivedThrough: string | null, now: Date): Promise<boolean> {
  if (!config.ARCHIVE_DIR || !retentionIsOn(retentionOf(config))) return false;
  const due = lastArchivableDay(new Date(now.getTime() - DAY_MS)); // a day of slack for the schedule
  if (archivedThrough !== null && archivedThrough >= due) return false;
  const waiting = await db.message.findFirst({
    where: {
      receivedAt: { lt: startOf(nextDay(due)), ...(archivedThrough ? { gte: startOf(nextDay(archivedThrough)) } : {}) },
    },
    select: { id: true },
  });
  return waiting !== null;
}

async function databaseBytes(db: Db, provider: Config["database"]["provider"]): Promise<number> {
  const [row] =
    provider === "sqlite"
      ? await db.$queryRawUnsafe<{ bytes: number | bigint }[]>(
          "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
        )
      : await db.$queryRawUnsafe<{ bytes: number | bigint }[]>("SELECT pg_database_size(current_database()) AS bytes");
  return Number(row.bytes);
}

export function recordUpkeepGauges(metrics: Metrics, state: UpkeepState, now: Date): void {
  const seconds = (date: Date | null) => (date ? date.getTime() / 1000 : 0);
  metrics.databaseBytes.set(state.databaseBytes);
  metrics.oldestMessageAge.set(state.oldestMessageAt ? (now.getTime() - state.oldestMessageAt.getTime()) / 1000 : 0);
  metrics.lastBackup.set(seconds(state.lastBackupAt));
  metrics.lastArchive.set(seconds(state.lastArchiveAt));
  metrics.lastPurge.set(seconds(state.lastPurgeAt));
  metrics.archiveBehind.set(state.archiveBehind ? 1 : 0);
}
