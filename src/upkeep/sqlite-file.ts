import type { Config } from "../config";

/** The file behind a SQLite DATABASE_URL, or an error saying where PostgreSQL's equivalent is documented. */
export function sqliteFileOf(database: Config["database"], what: string): string {
  if (database.provider !== "sqlite") {
    throw new Error(
      `${what} is for SQLite only. On PostgreSQL use pg_dump / pg_restore, or continuous archiving with point-in-time recovery: see docs/backup-and-retention.md`,
    );
  }
  return database.url.slice("file:".length);
}
