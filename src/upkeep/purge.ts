import path from "node:path";
import type { Db } from "../db/client";
import { ArchiveDamaged, verifyArchive } from "./archive-file";
import { DAY_MS, dayOf } from "./days";
import { markDone } from "./marks";
import { type Candidate, type PurgeStep, purgeSteps } from "./purge-steps";

export interface Retention {
  /** RETENTION_DAYS: every table, every API without its own. */
  days?: number;
  /** Per API (H7_RETENTION_DAYS). */
  byApi: Record<string, number | undefined>;
}

export interface PurgeOptions {
  now: Date;
  retention: Retention;
  /** ARCHIVE_DIR: when set, a message leaves only if it is in a verified archive. */
  archiveDir?: string;
  /** Only the simulator's rows, whatever their age (not archived: they are not Douane's). */
  simulatedOnly?: boolean;
  dryRun: boolean;
  /** Rows per delete: small, so intake waits at most one short statement (100: a group commit waited up to ~18 ms
   *  behind a delete of 200 messages with their declarations, deliveries and feed positions). */
  batch?: number;
  pauseMs?: number;
  steps?: PurgeStep[];
}

export interface PurgeReport {
  dryRun: boolean;
  simulatedOnly: boolean;
  tables: {
    table: string;
    api: string | null;
    before: string;
    removed: number;
    keptNotArchived: number;
    keptPendingDelivery: number;
  }[];
  damagedArchives: string[];
}

const FOREVER = new Date("9999-12-31T23:59:59.999Z"); // the latest date both databases take

/** Removes what retention (or --simulated) says may go, oldest first, in small batches. */
export async function purge(db: Db, options: PurgeOptions): Promise<PurgeReport> {
  const { now, dryRun, simulatedOnly = false, batch = 100, pauseMs = 10, steps = purgeSteps } = options;
  const guard = options.archiveDir && !simulatedOnly ? new ArchiveGuard(db, options.archiveDir) : null;
  const report: PurgeReport = { dryRun, simulatedOnly, tables: [], damagedArchives: [] };
  for (const step of steps) {
    if (simulatedOnly && !step.simulated) continue;
    for (const scope of scopesOf(step, options.retention, simulatedOnly, now)) {
      const line = {
        table: step.table,
        api: scope.api,
        before: scope.before.toISOString(),
        removed: 0,
        keptNotArchived: 0,
        keptPendingDelivery: 0,
      };
      let after: { at: Date; id: number } | null = null;
      for (;;) {
        const rows = await step.candidates(db, { ...scope, simulatedOnly, after, limit: batch });
        if (rows.length === 0) break;
        after = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
        const archived = step.archived && guard ? await guard.filter(rows) : rows;
        line.keptNotArchived += rows.length - archived.length;
        const owed = step.stillOwed
          ? await step.stillOwed(
              db,
              archived.map((row) => row.id),
            )
          : new Set<number>();
        const removable = archived.filter((row) => !owed.has(row.id));
        line.keptPendingDelivery += archived.length - removable.length;
        const started = performance.now();
        line.removed += dryRun
          ? removable.length
          : await step.remove(
              db,
              removable.map((row) => row.id),
            );
        // Rest at least as long as the delete took: the purge holds the database (SQLite's one writer) at most
        // half the time, however slow a batch is on this machine.
        if (!dryRun && pauseMs > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.max(pauseMs, performance.now() - started)));
      }
      report.tables.push(line);
    }
  }
  report.damagedArchives = guard?.damaged ?? [];
  if (!dryRun)
    await markDone(db, "purge", now, {
      simulatedOnly,
      removed: report.tables.reduce((sum, line) => sum + line.removed, 0),
    });
  return report;
}

function scopesOf(
  step: PurgeStep,
  retention: Retention,
  simulatedOnly: boolean,
  now: Date,
): { api: string | null; before: Date }[] {
  if (simulatedOnly) return [{ api: null, before: FOREVER }];
  const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
  if (!step.byApi) return retention.days ? [{ api: null, before: cutoff(retention.days) }] : [];
  return Object.entries(retention.byApi).flatMap(([api, days]) => {
    const kept = days ?? retention.days;
    return kept ? [{ api, before: cutoff(kept) }] : [];
  });
}

/** Which messages are in a verified archive: each day's parts read back and checked once per purge. */
class ArchiveGuard {
  readonly damaged: string[] = [];
  private readonly days = new Map<string, Map<number, string>>();
  constructor(
    private readonly db: Db,
    private readonly dir: string,
  ) {}

  async filter(rows: Candidate[]): Promise<Candidate[]> {
    const kept: Candidate[] = [];
    for (const row of rows) {
      const archived = await this.archivedOn(dayOf(row.at));
      if (archived.get(row.id) === row.bodySha256) kept.push(row);
    }
    return kept;
  }

  private async archivedOn(day: string): Promise<Map<number, string>> {
    const known = this.days.get(day);
    if (known) return known;
    const bodies = new Map<number, string>();
    for (const part of await this.db.archivePart.findMany({
      where: { day, verifiedAt: { not: null } },
      orderBy: { part: "asc" },
    })) {
      try {
        for (const [id, sha] of await verifyArchive(path.join(this.dir, part.file), part)) bodies.set(id, sha);
      } catch (error) {
        if (!(error instanceof ArchiveDamaged)) throw error;
        this.damaged.push(error.message); // its messages stay in the database
      }
    }
    this.days.set(day, bodies);
    return bodies;
  }
}
