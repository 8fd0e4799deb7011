import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/client";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { type RunningServer, startServerProcess } from "../support/process";
import { postCallback, startTestService, TEST_TOKEN } from "../support/service";

/** Callbacks posted over HTTP by a few concurrent senders until stopped; the acknowledged ones, by messageId. */
function liveIntake(port: number) {
  const acknowledged = new Map<string, Buffer>();
  let stopped = false;
  let sent = 0;
  const sender = async () => {
    while (!stopped) {
      const messageId = `backup-${process.pid}-${++sent}`;
      const body = Buffer.from(JSON.stringify(withMessageId(errorH7Example, messageId)));
      const answer = await fetch(`http://127.0.0.1:${port}${paths.error}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_TOKEN}` },
        body,
      });
      await answer.arrayBuffer();
      if (answer.status === 200) acknowledged.set(messageId, body);
    }
  };
  const senders = Array.from({ length: 4 }, sender);
  return {
    acknowledged,
    until: async (count: number) => {
      while (acknowledged.size < count) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    stop: async () => {
      stopped = true;
      await Promise.all(senders);
    },
  };
}

describe("db backup and db restore on sqlite", () => {
  let source: TestDatabase;
  let server: RunningServer | null = null;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-backup-"));
  const env = () => ({ DATABASE_URL: source.database.url });
  beforeAll(async () => {
    source = await createTestDatabase("sqlite");
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill("SIGKILL");
    await source?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test("a backup taken under live intake, restored into a fresh folder, holds every message acknowledged before it began, byte for byte", async () => {
    server = await startServerProcess({ DATABASE_URL: source.database.url, H7_TOKEN: TEST_TOKEN });
    const intake = liveIntake(server.port);
    await intake.until(60);
    const before = new Map(intake.acknowledged);
    const backup = await cli(env(), "--json", "db", "backup", path.join(folder, "copy.db"));
    await intake.until(intake.acknowledged.size + 20); // intake goes on after the backup
    await intake.stop();
    expect(backup).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(backup.stdout).messages).toBeGreaterThanOrEqual(before.size);

    const target = path.join(folder, "fresh", "data", "receiver.db");
    expect(await cli({ DATABASE_URL: `file:${target}` }, "db", "restore", path.join(folder, "copy.db"))).toMatchObject({
      code: 0,
      stderr: "",
    });
    const restored = await startTestService("sqlite", {}, undefined, {
      database: { provider: "sqlite", url: `file:${target}` },
      drop: async () => {},
    });
    try {
      const rows = await restored.db.message.findMany({
        where: { messageId: { in: [...before.keys()] } },
        select: { messageId: true, rawBody: true },
      });
      expect(rows).toHaveLength(before.size);
      for (const row of rows) expect(Buffer.from(row.rawBody).equals(before.get(row.messageId)!)).toBe(true);
      await postCallback(restored.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
    } finally {
      await restored.stop();
    }
  }, 120_000);

  test("the last backup is recorded in the database it was taken from", async () => {
    const db = await openDatabase(source.database);
    try {
      const mark = await db.upkeepMark.findUnique({ where: { task: "backup" } });
      expect(mark?.at.getTime()).toBeGreaterThan(Date.now() - 120_000);
      expect(JSON.parse(mark!.detail).file).toBe(path.join(folder, "copy.db"));
    } finally {
      await db.$disconnect();
    }
  });

  test("a backup never overwrites a file", async () => {
    const result = await cli(env(), "db", "backup", path.join(folder, "copy.db"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("already exists");
  });

  test("restore is refused while the service runs, and once it is stopped replaces the database, keeping the old one beside it", async () => {
    const refused = await cli(env(), "db", "restore", path.join(folder, "copy.db"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is in use: stop the service");
    server!.child.kill("SIGTERM");
    expect(await server!.exited).toBe(0);

    const restored = await cli(env(), "--json", "db", "restore", path.join(folder, "copy.db"));
    expect(restored).toMatchObject({ code: 0, stderr: "" });
    const { previous, messages } = JSON.parse(restored.stdout);
    expect(fs.existsSync(previous)).toBe(true);
    const db = await openDatabase(source.database);
    try {
      expect(await db.message.count()).toBe(messages);
    } finally {
      await db.$disconnect();
    }
  }, 60_000);

  test("restore refuses a file that is not a receiver database, and leaves the database alone", async () => {
    fs.writeFileSync(path.join(folder, "junk.db"), "not a database");
    const result = await cli(env(), "db", "restore", path.join(folder, "junk.db"));
    expect(result.code).toBe(1);
    expect(fs.existsSync(source.database.url.slice("file:".length))).toBe(true);
  });
});

test.each(databaseProviders().filter((provider) => provider === "postgresql"))(
  "on %s, db backup and db restore refuse and point to pg_dump and point-in-time recovery",
  async (provider) => {
    const database = await createTestDatabase(provider);
    const file = path.join(os.tmpdir(), `receiver-pg-backup-${process.pid}.db`);
    try {
      for (const command of ["backup", "restore"]) {
        const result = await cli({ DATABASE_URL: database.database.url }, "db", command, file);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/pg_dump.*point-in-time recovery: see docs\/backup-and-retention\.md/);
      }
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      await database.drop();
    }
  },
);
