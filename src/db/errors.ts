import fs from "node:fs";
import type { Config } from "../config";

/** Where a database is, for a message: the SQLite file, or the PostgreSQL URL without its password. */
export function whereIs(database: Config["database"]): string {
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
  const lines = (message ?? "").split("\n").map((line) => line.trim()).filter(Boolean);
  return `database error${code ? ` ${code}` : ""} at ${where}: ${lines[lines.length - 1] ?? "unknown"}`;
}
