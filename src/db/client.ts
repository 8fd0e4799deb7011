import fs from "node:fs";
import path from "node:path";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client";
import { PrismaClient as PgClient } from "../generated/postgres/client";
import type { Config } from "../config";
import { driverSql, ReachablePgAdapterFactory, type DriverSql } from "./driver";
import { SerializedSqliteAdapterFactory } from "./sqlite-serialized";

export { Prisma } from "../generated/sqlite/client";

/** The app codes against the SQLite client's type; both clients come from the same prisma/models.prisma. */
export type Db = SqliteClient;

export async function openDatabase(database: Config["database"]): Promise<Db> {
  return (await openStore(database)).db;
}

/** The Prisma client, and the same connection reached without Prisma's query compiler (see driver.ts). */
export async function openStore(database: Config["database"]): Promise<{ db: Db; sql: DriverSql }> {
  if (database.provider === "postgresql") {
    const factory = new ReachablePgAdapterFactory({ connectionString: database.url, max: 10, connectionTimeoutMillis: 5_000 });
    const db = new PgClient({ adapter: factory });
    await db.$connect();
    return { db: db as unknown as Db, sql: driverSql("postgresql", () => factory.adapter!) };
  }
  const file = database.url.slice("file:".length);
  fs.mkdirSync(path.dirname(file), { recursive: true }); // better-sqlite3 does not create folders
  const factory = new SerializedSqliteAdapterFactory({ url: database.url });
  const db = new SqliteClient({ adapter: factory });
  // The adapter keeps one connection per client, so these pragmas hold for the client's lifetime.
  // synchronous=FULL: a commit is on disk before we acknowledge it, even on power loss.
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$executeRawUnsafe("PRAGMA synchronous = FULL");
  await db.$executeRawUnsafe("PRAGMA busy_timeout = 5000");
  await analyzeSqlite(db, "opening");
  return { db, sql: driverSql("sqlite", () => factory.adapter!) };
}

/** SQLite plans with statistics only once ANALYZE has run: without them a list filtered on two columns can pick
 *  the worse index (seen at 1M rows: 2.3 s instead of milliseconds). `PRAGMA optimize` analyzes only what needs
 *  it, within a bounded effort (0x10002 at opening, as SQLite's documentation recommends for long-lived
 *  connections), so it is cheap to repeat. */
export async function analyzeSqlite(db: Db, when: "opening" | "periodic"): Promise<void> {
  await db.$queryRawUnsafe(when === "opening" ? "PRAGMA optimize = 0x10002" : "PRAGMA optimize");
}
