import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Config } from "../config";
import { type Db, ensureWritableFolder } from "./client";

const run = promisify(execFile);

/** Applies prisma/<provider>/migrations with the Prisma CLI (the same `migrate deploy` ops would run by hand).
 *  On PostgreSQL, Prisma takes an advisory lock, so replicas starting together migrate once. */
export async function applyMigrations(database: Config["database"]): Promise<void> {
  if (database.provider === "sqlite") ensureWritableFolder(path.dirname(database.url.slice("file:".length)));
  const root = projectRoot();
  const cli = require.resolve("prisma/build/index.js");
  const timers = path.join(root, "scripts/unref-long-timers.cjs");
  try {
    await run(
      process.execPath,
      ["-r", timers, cli, "migrate", "deploy", "--config", path.join(root, "prisma.config.ts")],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.url, CHECKPOINT_DISABLE: "1" },
      },
    );
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(migrationFailure(`${stdout}${stderr}`));
  }
}

/** The CLI's output, led by the cause in plain words where Prisma's own words hide it. */
export function migrationFailure(output: string): string {
  // adapter-better-sqlite3 6.19 reports SQLITE_BUSY as a kind the 6.19 schema engine cannot decode.
  const cause = output.includes("unknown variant `SocketTimeout`")
    ? " another connection held the SQLite database's write lock longer than a migration waits (SQLITE_BUSY)"
    : "";
  return `database migration failed:${cause}\n${output}`.trim();
}

/** How many migrations the service ships for `provider`: readiness checks the database has them all. */
export function shippedMigrationCount(provider: Config["database"]["provider"]): number {
  const folder = path.join(projectRoot(), "prisma", provider === "sqlite" ? "sqlite" : "postgres", "migrations");
  return fs.readdirSync(folder).filter((entry) => fs.existsSync(path.join(folder, entry, "migration.sql"))).length;
}

/** Migrations recorded as finished in the database. */
export async function appliedMigrationCount(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<
    { count: number | bigint }[]
  >`SELECT COUNT(*) AS "count" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  return Number(row.count);
}

function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "prisma.config.ts"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`prisma.config.ts not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
