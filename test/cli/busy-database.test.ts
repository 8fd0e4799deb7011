import { spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { cli } from "../support/cli";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { startTestService } from "../support/service";

/** Another process that commits small writes back to back (a millisecond apart), as a busy service does. */
function busyWriter(file: string) {
  const script = `
    const db = new (require("better-sqlite3"))(process.argv[1], { timeout: 5000 });
    db.pragma("synchronous = FULL");
    const bump = db.prepare('UPDATE "ApiToken" SET "useCount" = "useCount" + 1');
    let stop = false;
    process.stdin.on("end", () => (stop = true)).resume();
    const tick = () => { if (stop) { db.close(); process.exit(0); } db.transaction(() => bump.run())(); setTimeout(tick, 1); };
    console.log("writing"); tick();`;
  const child = spawn(process.execPath, ["-e", script, file], {
    cwd: path.resolve(__dirname, "../.."),
    stdio: ["pipe", "pipe", "inherit"],
  });
  const started = new Promise((resolve) => child.stdout!.once("data", resolve));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { started, stop: () => (child.stdin!.end(), exited) };
}

describe("the CLI beside a busy SQLite service", () => {
  let testDatabase: TestDatabase;
  let env: Record<string, string>;
  let file: string;
  beforeAll(async () => {
    testDatabase = await createTestDatabase("sqlite");
    env = { DATABASE_URL: testDatabase.database.url };
    file = testDatabase.database.url.slice("file:".length);
    const service = await startTestService("sqlite", {}, undefined, testDatabase); // seeds the active token
    await service.close();
  }, 60_000);
  afterAll(() => testDatabase?.drop());

  test("rotations succeed while another process commits all the time: the CLI waits for the lock", async () => {
    const writer = busyWriter(file);
    await writer.started;
    try {
      for (let round = 0; round < 3; round++) {
        // A generous bound: what is tested is that the CLI waits for the lock, not how long.
        const rotated = await cli({ ...env, SQLITE_BUSY_TIMEOUT_MS: "5000" }, "tokens", "rotate", "--json");
        expect(rotated).toMatchObject({ code: 0, stderr: "" });
        const cancelled = await cli(
          { ...env, SQLITE_BUSY_TIMEOUT_MS: "5000" },
          "tokens",
          "cancel",
          String(JSON.parse(rotated.stdout).id),
        );
        expect(cancelled).toMatchObject({ code: 0, stderr: "" });
      }
    } finally {
      await writer.stop();
    }
  }, 30_000);

  test("a lock held past SQLITE_BUSY_TIMEOUT_MS ends the command with a clear message and no stack trace, nothing changed", async () => {
    const holder = new Database(file);
    holder.exec("BEGIN IMMEDIATE");
    try {
      const refused = await cli({ ...env, SQLITE_BUSY_TIMEOUT_MS: "200" }, "tokens", "rotate");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        "error: the database is locked by another process (the running service?) and stayed locked for more than SQLITE_BUSY_TIMEOUT_MS (200 ms): nothing was changed; try again, or raise SQLITE_BUSY_TIMEOUT_MS for this command\n",
      );
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    const listed = await cli(env, "tokens", "list", "--json");
    expect(JSON.parse(listed.stdout).filter((token: { status: string }) => token.status === "pending")).toEqual([]);
  }, 30_000);
});
