import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli } from "../support/cli";
import { createEmptyTestDatabase, TEST_POSTGRES_URL } from "../support/databases";
import { testOnPostgres } from "../support/on-postgres";

const commands = [
  ["messages", "list"],
  ["quarantine", "list"],
  ["tokens", "list"],
  ["tokens", "rotate"],
  ["quarantine", "dismiss", "1", "--reason", "r"],
];

describe("the CLI pointed at a SQLite file that does not exist", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-missing-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("says so, creates neither the file nor its folder, and only db migrate creates it", async () => {
    const file = path.join(dir, "not-yet", "receiver.db");
    const env = { DATABASE_URL: `file:${file}` };
    for (const argv of commands) {
      const run = await cli(env, ...argv);
      expect({ argv, ...run }).toEqual({
        argv,
        code: 1,
        stdout: "",
        stderr: `error: no database file at ${file}: check DATABASE_URL, or create it with "db migrate"\n`,
      });
    }
    const status = await cli(env, "status");
    expect(status).toMatchObject({ code: 3, stderr: expect.stringContaining(`no database file at ${file}`) });
    expect(fs.existsSync(path.dirname(file))).toBe(false);

    expect((await cli(env, "db", "migrate")).code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    expect(await cli(env, "messages", "list")).toEqual({ code: 0, stdout: "(none)\n", stderr: "" });
  }, 60_000);

  test("an existing file that was never migrated gets a one-line answer, never Prisma's report", async () => {
    const file = path.join(dir, "empty.db");
    fs.writeFileSync(file, "");
    const run = await cli({ DATABASE_URL: `file:${file}` }, "messages", "list");
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: the database at ${file} is not migrated (a table or column is missing): run "db migrate"\n`,
    });
  });
});

testOnPostgres(
  "the CLI pointed at a PostgreSQL database that does not exist says so, without the password or Prisma's report",
  async () => {
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = "/receiver_test_never_created";
    url.password = "not-a-real-secret";
    const run = await cli({ DATABASE_URL: url.toString() }, "messages", "list");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: the database at postgresql:\/\/[^\n]*receiver_test_never_created does not exist on its server: create it, then run "db migrate"\n$/,
    );
    expect(run.stderr).not.toContain("not-a-real-secret");
  },
);

testOnPostgres(
  "the CLI pointed at an empty PostgreSQL database says it is not migrated",
  async () => {
    const empty = await createEmptyTestDatabase("postgresql");
    try {
      const run = await cli({ DATABASE_URL: empty.database.url }, "quarantine", "list");
      expect(run).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/^error: the database at .* is not migrated .*: run "db migrate"\n$/),
      });
    } finally {
      await empty.drop();
    }
  },
  30_000,
);
