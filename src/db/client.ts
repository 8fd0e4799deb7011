import fs from "node:fs";
import path from "node:path";
import { type Config, defaultLimits } from "../config";
import { PrismaClient as PgClient } from "../generated/postgres/client";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client";
import { type DriverSql, driverSql, ReachablePgAdapterFactory, WRITE_PROBE_SQL } from "./driver";
import { isSqliteBusy } from "./errors";
import { boundedPoolConfig, PgConnections } from "./pg-pool";
import { SerializedSqliteAdapterFactory } from "./sqlite-serialized";

/** The app codes against the SQLite client's type; both clients come from the same prisma/models.prisma. */
export type Db = SqliteClient;

/** The client inside an interactive transaction (`db.$transaction(async (tx) => …)`). */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Prisma's SQLite client takes at most 999 parameters a query: an `in` list of ids goes in chunks of this many. */
export const IN_LIST_CHUNK = 400;

/** `ids` in runs of at most IN_LIST_CHUNK, one `in` list each. */
export function inListChunks<T>(ids: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < ids.length; start += IN_LIST_CHUNK) chunks.push(ids.slice(start, start + IN_LIST_CHUNK));
  return chunks;
}

/** The database cannot be used as configured: start-up stops with this message, which names the cause. */
export class DatabaseUnusable extends Error {}

export async function openDatabase(database: Config["database"]): Promise<Db> {
  return (await openStore(database)).db;
}

export interface Store {
  db: Db;
  /** The same connection reached without Prisma's query compiler (see driver.ts). */
  sql: DriverSql;
  /** Replaces the connections waiting for an answer, presumed stalled; returns how many (0 on SQLite). */
  dropBusyConnections(): number;
}

export async function openStore(database: Config["database"]): Promise<Store> {
  const limits = database.limits ?? defaultLimits();
  if (database.provider === "postgresql") {
    const connections = new PgConnections();
    const factory = new ReachablePgAdapterFactory(boundedPoolConfig(database.url, limits, connections));
    const db = new PgClient({ adapter: factory });
    await db.$connect();
    return {
      db: db as unknown as Db,
      sql: driverSql("postgresql", () => factory.adapter!),
      dropBusyConnections: () => connections.dropBusy(),
    };
  }
  const file = database.url.slice("file:".length);
  ensureWritableFolder(path.dirname(file));
  const factory = new SerializedSqliteAdapterFactory({ url: database.url, timeout: limits.sqliteBusyMs });
  const db = new SqliteClient({ adapter: factory });
  // The adapter keeps one connection per client, so these pragmas hold for the client's lifetime.
  // synchronous=FULL: a commit is on disk before we acknowledge it, even on power loss.
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$executeRawUnsafe("PRAGMA synchronous = FULL");
  // A multi-row INSERT inside a transaction keeps a statement journal; beyond 64 KiB SQLite spills it to a file it
  // creates and deletes in its temporary folder (SQLITE_TMPDIR, TMPDIR, else /var/tmp), as many page writes again as
  // the commit's own: a group of 25 callbacks did. In memory instead, with the sorts and temporary tables SQLite
  // would spill there too: our statements that change existing pages are bounded (groups of at most 200 rows, purges
  // and a destination's removal in chunks), our reads page through indexes, and a replay inserts without sorting.
  await db.$executeRawUnsafe("PRAGMA temp_store = MEMORY");
  // better-sqlite3 waits for another process's lock synchronously: the whole process waits, so keep it short.
  await db.$executeRawUnsafe(`PRAGMA busy_timeout = ${limits.sqliteBusyMs}`);
  // Statistics are an optimisation: another process holding the lock (the service, beside the CLI) must not stop us.
  await analyzeSqlite(db, "opening").catch((error) => {
    if (!isSqliteBusy(error)) throw error;
  });
  // better-sqlite3 is synchronous: nothing of it is ever left waiting.
  return { db, sql: driverSql("sqlite", () => factory.adapter!), dropBusyConnections: () => 0 };
}

/** SQLite writes the database and its -wal and -shm files in this folder: say so plainly when it cannot,
 *  rather than the migration engine's "External error id#0". */
export function ensureWritableFolder(folder: string): void {
  const probe = path.join(folder, `.write-check-${process.pid}`);
  try {
    fs.mkdirSync(folder, { recursive: true }); // better-sqlite3 does not create folders
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new DatabaseUnusable(
      `the SQLite database folder ${folder} is not writable (${code}): the service keeps its database and journal files there; give it write access or set DATABASE_URL to a writable place`,
    );
  }
}

/** Whether a write would succeed now (readiness): takes the write lock as a real write would. */
export async function probeWrite(db: Db): Promise<void> {
  await db.$executeRawUnsafe(WRITE_PROBE_SQL);
}

/** SQLite plans with statistics only once ANALYZE has run: without them a list filtered on two columns can pick
 *  the worse index (seen at 1M rows: 2.3 s instead of milliseconds). `PRAGMA optimize` analyzes only what needs
 *  it, within a bounded effort (0x10002 at opening, as SQLite's documentation recommends for long-lived
 *  connections), so it is cheap to repeat. */
export async function analyzeSqlite(db: Db, when: "opening" | "periodic"): Promise<void> {
  await db.$queryRawUnsafe(when === "opening" ? "PRAGMA optimize = 0x10002" : "PRAGMA optimize");
}
