import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import type { Config } from "../../src/config";
import { type Db, openDatabase } from "../../src/db/client";
import { applyMigrations } from "../../src/db/migrate";
import { runPrefix } from "./test-run";

export type Provider = Config["database"]["provider"];

/** The PostgreSQL server tests create their databases on (trust auth on this machine). */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** Both databases. Outside CI, TEST_SKIP_POSTGRES=1 leaves PostgreSQL out; under CI=true it cannot,
 *  so a PostgreSQL that does not answer fails the run. */
export function databaseProviders(): Provider[] {
  return process.env.TEST_SKIP_POSTGRES === "1" && process.env.CI !== "true" ? ["sqlite"] : ["sqlite", "postgresql"];
}

export interface TestDatabase {
  database: Config["database"];
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, copied from a template migrated once (the Prisma CLI takes
 *  about two seconds a run): a SQLite file copy, or PostgreSQL's CREATE DATABASE … TEMPLATE. */
export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const name = `${runPrefix()}test_${randomBytes(6).toString("hex")}`;
  if (provider === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-"));
    const file = path.join(dir, `${name}.db`);
    fs.copyFileSync(await sqliteTemplate(), file);
    return {
      database: { provider, url: `file:${file}` },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  await createPostgresDatabase(name, await postgresTemplate());
  return {
    database: { provider, url: urlOf(name) },
    drop: async () => void (await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/** A database with nothing in it, not even the schema: for tests of migration itself. */
export async function createEmptyTestDatabase(provider: Provider): Promise<TestDatabase> {
  const name = `${runPrefix()}test_${randomBytes(6).toString("hex")}`;
  if (provider === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-"));
    return {
      database: { provider, url: `file:${path.join(dir, `${name}.db`)}` },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  await onServer(`CREATE DATABASE "${name}"`);
  return {
    database: { provider, url: urlOf(name) },
    drop: async () => void (await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

let sqliteTemplateFile: Promise<string> | undefined;
function sqliteTemplate(): Promise<string> {
  sqliteTemplateFile ??= (async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "receiver-template-")), "template.db");
    await applyMigrations({ provider: "sqlite", url: `file:${file}` });
    return file;
  })();
  return sqliteTemplateFile;
}

let postgresTemplateName: Promise<string> | undefined;
/** Made once per run and migration set (the workers of a run share it); dropped with the run's other databases. */
function postgresTemplate(): Promise<string> {
  postgresTemplateName ??= (async () => {
    const name = `${runPrefix()}template_${migrationsDigest()}`;
    const exists = await onServer(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
    if (exists > 0) return name;
    const building = `${name}_${randomBytes(4).toString("hex")}`;
    await onServer(`CREATE DATABASE "${building}"`);
    await applyMigrations({ provider: "postgresql", url: urlOf(building) });
    // Another test process may have built it meanwhile: then ours is dropped.
    await onServer(`ALTER DATABASE "${building}" RENAME TO "${name}"`).catch(() =>
      onServer(`DROP DATABASE "${building}" WITH (FORCE)`),
    );
    return name;
  })();
  return postgresTemplateName;
}

async function createPostgresDatabase(name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await onServer(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      // Two copies of one template cannot start at the same instant ("being accessed by other users").
      if (attempt >= 20 || !String(error).includes("being accessed")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

function migrationsDigest(): string {
  const root = path.resolve(__dirname, "../../prisma/postgres/migrations");
  const hash = createHash("sha256");
  for (const entry of fs.readdirSync(root).sort()) {
    const file = path.join(root, entry, "migration.sql");
    if (fs.existsSync(file)) hash.update(entry).update(fs.readFileSync(file));
  }
  return hash.digest("hex").slice(0, 12);
}

function urlOf(database: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer(sql: string): Promise<number> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${TEST_POSTGRES_URL} is unreachable (set TEST_POSTGRES_URL, or TEST_SKIP_POSTGRES=1 outside CI): ${error}`,
    );
  }
  try {
    return (await client.query(sql)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** A fresh database of `provider`, opened as the service opens it, for the tests of the calling `describe`:
 *  created before them, closed and dropped after. Read `db` and `testDatabase` inside the tests. */
export function openedForSuite(provider: Provider): { db: Db; testDatabase: TestDatabase } {
  const opened = {} as { db: Db; testDatabase: TestDatabase };
  beforeAll(async () => {
    opened.testDatabase = await createTestDatabase(provider);
    opened.db = await openDatabase(opened.testDatabase.database);
  }, 60_000);
  afterAll(async () => {
    await opened.db?.$disconnect();
    await opened.testDatabase?.drop();
  });
  return opened;
}
