import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";

/** One jest run: an id for the PostgreSQL databases it creates, and a folder that holds every temporary file
 *  (TMPDIR points there, so os.tmpdir() does, in the workers and the processes they start). */
export interface TestRun {
  id: string;
  folder: string;
}

export const RUN_ID_VARIABLE = "RECEIVER_TEST_RUN";

export function startTestRun(): TestRun {
  const id = randomBytes(4).toString("hex");
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `receiver-run-${id}-`));
  process.env[RUN_ID_VARIABLE] = id;
  process.env.RECEIVER_TEST_RUN_FOLDER = folder;
  process.env.TMPDIR = folder;
  return { id, folder };
}

/** The prefix of every database of this run (templates included): `receiver_<run>_`. Outside jest, per process. */
export const runPrefix = (): string => `receiver_${(process.env[RUN_ID_VARIABLE] ??= randomBytes(4).toString("hex"))}_`;

/** Drops every database of the run and removes its folder. */
export async function endTestRun(run: TestRun, postgresUrl: string): Promise<void> {
  fs.rmSync(run.folder, { recursive: true, force: true });
  const client = new Client({ connectionString: postgresUrl });
  try {
    await client.connect();
  } catch {
    return; // no PostgreSQL in this run (TEST_SKIP_POSTGRES=1): nothing was created there
  }
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [`receiver_${run.id}_`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
