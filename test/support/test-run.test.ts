import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { TEST_POSTGRES_URL } from "./databases";
import { testOnPostgres } from "./on-postgres";
import { endTestRun } from "./test-run";

async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
const databasesNamed = (prefix: string) =>
  onServer(async (client) =>
    (await client.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix])).rows.map(
      (row) => row.datname,
    ),
  );

testOnPostgres(
  "the end of a run removes its folder and drops its databases, templates included, and no other run's",
  async () => {
    const run = {
      id: randomBytes(4).toString("hex"),
      folder: fs.mkdtempSync(path.join(os.tmpdir(), "receiver-run-test-")),
    };
    const other = randomBytes(4).toString("hex");
    fs.writeFileSync(path.join(run.folder, "template.db"), "x");
    await onServer(async (client) => {
      for (const name of [
        `receiver_${run.id}_template_abc`,
        `receiver_${run.id}_test_def`,
        `receiver_${other}_test_ghi`,
      ])
        await client.query(`CREATE DATABASE "${name}"`);
    });
    try {
      await endTestRun(run, TEST_POSTGRES_URL);
      expect(fs.existsSync(run.folder)).toBe(false);
      expect(await databasesNamed(`receiver_${run.id}_`)).toEqual([]);
      expect(await databasesNamed(`receiver_${other}_`)).toEqual([`receiver_${other}_test_ghi`]);
    } finally {
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS "receiver_${other}_test_ghi"`));
    }
  },
  30_000,
);

test("this run's temporary files live in the run's own folder", () => {
  expect(process.env.RECEIVER_TEST_RUN_FOLDER).toBeDefined();
  expect(os.tmpdir()).toBe(process.env.RECEIVER_TEST_RUN_FOLDER);
});
