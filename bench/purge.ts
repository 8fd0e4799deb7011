// The purge phase: intake while retention's purge runs. Per database: `rows` old messages seeded (stored.ts, all
// older than the purge's RETENTION_DAYS=1), the service started, intake driven alone, then `cli db purge --yes`
// started in its own process and the same intake driven beside it. The purge is stopped once the second
// measurement is over (it is safe to interrupt); it must still have been running then, or the comparison is void.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { Client } from "pg";
import type { DatabaseLocation } from "./acks";
import type { DriverReport } from "./driver";
import { drive } from "./intake";
import { seederFor } from "./seed";
import { storedMessages } from "./stored";
import { createBenchDatabase, dropBenchDatabase, startService, type Workspace } from "./targets";

export interface PurgeSettings {
  databases: DatabaseLocation["provider"][];
  rows: number; // old messages seeded, all purgeable
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface PurgeRow {
  database: DatabaseLocation["provider"];
  seeded: number;
  alone: DriverReport;
  duringPurge: DriverReport;
  /** Old rows the purge removed while the intake beside it was driven (warm-up included). */
  purged: number;
  purgeSeconds: number;
  /** False when the purge ended before the measurement did: the second run then measured intake alone too. */
  purgeRanThrough: boolean;
}

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "dist", "src", "cli", "main.js");

export async function runPurge(
  work: Workspace,
  settings: PurgeSettings,
  log: (line: string) => void,
): Promise<PurgeRow[]> {
  const rows: PurgeRow[] = [];
  for (const provider of settings.databases) {
    const { database, url } = await createBenchDatabase(work, provider, "purge");
    try {
      const seeder = seederFor(database, storedMessages());
      const seeding = await seeder.seed(settings.rows).finally(() => seeder.close());
      log(`purge, ${provider}: ${seeding.rows} old messages seeded in ${seeding.seconds.toFixed(1)} s`);
      const running = await startService(`purge-${provider}`, url, work);
      try {
        const spec = (name: string) => ({
          url: running.url,
          serverPid: running.pid,
          token: work.token,
          mix: "unique",
          seed: 7,
          acksFile: path.join(work.dir, `acks-purge-${provider}-${name}.tsv`),
          seconds: settings.seconds,
          warmupSeconds: settings.warmupSeconds,
          connections: settings.connections,
        });
        const alone = await drive(spec("alone"));
        const started = performance.now();
        const purging = startPurge(url);
        const duringPurge = await drive(spec("during"));
        const purgeRanThrough = purging.exitCode === null;
        await stopPurge(purging);
        const purgeSeconds = (performance.now() - started) / 1000;
        const purged = seeding.rows - (await oldRowsLeft(database));
        log(
          `purge, ${provider}: intake p99 ${alone.p99.toFixed(1)} ms alone, ${duringPurge.p99.toFixed(1)} ms during the purge ` +
            `(${purged} rows purged in ${purgeSeconds.toFixed(1)} s${purgeRanThrough ? "" : ", ended before the measurement did"})`,
        );
        rows.push({
          database: provider,
          seeded: seeding.rows,
          alone,
          duringPurge,
          purged,
          purgeSeconds,
          purgeRanThrough,
        });
      } finally {
        await running.stop();
      }
    } finally {
      await dropBenchDatabase(work, database);
    }
  }
  return rows;
}

function startPurge(url: string): ChildProcess {
  const child = spawn(process.execPath, [CLI, "db", "purge", "--yes"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, RETENTION_DAYS: "1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.once("error", () => {}); // seen as an early exit: purgeRanThrough false
  return child;
}

/** SIGTERM between two batches: each batch is its own statement, so the purge leaves nothing half done. */
function stopPurge(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Seeded rows (stored.ts) are the only ones dated before the intake's: what is left of them. */
async function oldRowsLeft(database: DatabaseLocation): Promise<number> {
  const dayAgo = new Date(Date.now() - 86_400_000);
  if (database.provider === "sqlite") {
    const db = new Database(database.file, { readonly: true });
    try {
      return db
        .prepare(`SELECT count(*) FROM "Message" WHERE "receivedAt" < ?`)
        .pluck()
        .get(dayAgo.toISOString().replace("Z", "+00:00")) as number;
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM "Message" WHERE "receivedAt" < $1::timestamp`,
      [dayAgo.toISOString().slice(0, -1)],
    );
    return Number(rows[0].count);
  } finally {
    await client.end();
  }
}
