import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import type { Config } from "../../src/config";

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

/** A fresh, empty database: a SQLite file in a temp folder, or a new PostgreSQL database. */
export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const name = `receiver_test_${randomBytes(6).toString("hex")}`;
  if (provider === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-"));
    return {
      database: { provider, url: `file:${path.join(dir, `${name}.db`)}` },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    database: { provider, url: url.toString() },
    drop: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${TEST_POSTGRES_URL} is unreachable (set TEST_POSTGRES_URL, or TEST_SKIP_POSTGRES=1 outside CI): ${error}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
