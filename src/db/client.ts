import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client";
import { PrismaClient as PgClient } from "../generated/postgres/client";
import type { Config } from "../config";
import { SerializedSqliteAdapterFactory } from "./sqlite-serialized";

export { Prisma } from "../generated/sqlite/client";

/** The app codes against the SQLite client's type; both clients come from the same prisma/models.prisma. */
export type Db = SqliteClient;

export async function openDatabase(database: Config["database"]): Promise<Db> {
  if (database.provider === "postgresql") {
    const db = new PgClient({ adapter: new PrismaPg({ connectionString: database.url, max: 10 }) });
    await db.$connect();
    return db as unknown as Db;
  }
  const file = database.url.slice("file:".length);
  fs.mkdirSync(path.dirname(file), { recursive: true }); // better-sqlite3 does not create folders
  const db = new SqliteClient({ adapter: new SerializedSqliteAdapterFactory({ url: database.url }) });
  // The adapter keeps one connection per client, so these pragmas hold for the client's lifetime.
  // synchronous=FULL: a commit is on disk before we acknowledge it, even on power loss.
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$executeRawUnsafe("PRAGMA synchronous = FULL");
  await db.$executeRawUnsafe("PRAGMA busy_timeout = 5000");
  return db;
}
