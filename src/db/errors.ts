import fs from "node:fs";
import type { Config } from "../config";

/** What a database error means to us, whichever path it came by: a Prisma client error (P20xx with the driver
 *  adapter's error in meta), the driver adapter's own error (queries sent straight to it), or the driver's. */

/** The database's own code: a PostgreSQL SQLSTATE or a SQLite extended result code. */
export function databaseCodeOf(error: unknown): string | undefined {
  const e = error as {
    code?: unknown;
    cause?: { originalCode?: string; code?: string };
    meta?: { driverAdapterError?: { cause?: { originalCode?: string } } };
  };
  const fromAdapter = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.cause?.originalCode ?? e?.cause?.code;
  if (fromAdapter) return fromAdapter;
  return typeof e?.code === "string" && !/^P\d{4}$/.test(e.code) ? e.code : undefined;
}

/** A unique constraint refused the row: someone stored the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  if ((error as { code?: unknown })?.code === "P2002") return true;
  const code = databaseCodeOf(error);
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/**
 * The database refused the row for what it holds (a value out of range, a constraint), not because it could not
 * be reached or was busy: retrying the same row can never succeed. PostgreSQL classes 22 (data exception) and
 * 23 (integrity constraint violation); SQLite's constraint, too-big and type-mismatch codes.
 */
export function refusesData(error: unknown): boolean {
  const code = databaseCodeOf(error);
  if (code === undefined) return false;
  return /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(code);
}

/** SQLite's lock is held by another connection (another process) for longer than the busy timeout. */
export function isSqliteBusy(error: unknown): boolean {
  const code = databaseCodeOf(error) ?? "";
  return (
    code.startsWith("SQLITE_BUSY") ||
    code.startsWith("SQLITE_LOCKED") ||
    /database is locked/.test(String((error as Error)?.message))
  );
}

/** Where a database is, for a message: the SQLite file, or the PostgreSQL URL without its password. */
function whereIs(database: Config["database"]): string {
  if (database.provider === "sqlite") return database.url.slice("file:".length);
  const url = new URL(database.url);
  url.password = "";
  return url.toString();
}

/** Opening a SQLite database creates the file: a command that only reads or changes one must not. */
export function requireExistingSqliteFile(database: Config["database"]): void {
  if (database.provider !== "sqlite") return;
  const file = whereIs(database);
  if (!fs.existsSync(file)) {
    throw new Error(`no database file at ${file}: check DATABASE_URL, or create it with "db migrate"`);
  }
}

/** A database failure as one line a person can act on, instead of Prisma's multi-line invocation report;
 *  null for an error that is not the database's. */
export function describeDatabaseError(error: unknown, database: Config["database"]): string | null {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  if (!name?.startsWith("PrismaClient") && !code?.startsWith("P")) return null;
  const where = whereIs(database);
  switch (code) {
    case "P2021":
    case "P2022":
      return `the database at ${where} is not migrated (a table or column is missing): run "db migrate"`;
    case "P1003":
      return `the database at ${where} does not exist on its server: create it, then run "db migrate"`;
    case "P1001":
    case "P1002":
      return `cannot reach the database server at ${where}`;
  }
  const lines = (message ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return `database error${code ? ` ${code}` : ""} at ${where}: ${lines[lines.length - 1] ?? "unknown"}`;
}
