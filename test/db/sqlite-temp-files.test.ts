import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/client";
import { seedRows } from "../messages/messages";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { type RunningServer, startServerProcess } from "../support/process";
import { TEST_TOKEN } from "../support/service";

const INTERNAL_TOKEN = "internal-token-for-the-temporary-files-test-0123456789";

describe("group commits on SQLite", () => {
  let testDatabase: TestDatabase;
  let server: RunningServer | undefined;
  let tempDir: string;
  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite-temp-"));
    testDatabase = await createTestDatabase("sqlite");
    // Stored messages under random ids: each new one then lands on its own page of the (api, messageId) index.
    const db = await openDatabase(testDatabase.database);
    await seedRows(db, 6000, () => ({ messageId: randomUUID() }));
    await db.$disconnect();
  }, 60_000);
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill("SIGKILL");
    await testDatabase?.drop();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });

  test("a group inserted among stored messages creates no temporary file: its statement journal stays in memory", async () => {
    // SQLite creates its temporary files in SQLITE_TMPDIR, read once per process: so a process of its own.
    server = await startServerProcess({
      DATABASE_URL: testDatabase.database.url,
      H7_TOKEN: TEST_TOKEN,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      SQLITE_TMPDIR: tempDir,
    });
    const created: string[] = [];
    const watcher = fs.watch(tempDir, (_event, name) => created.push(String(name)));
    const post = () =>
      fetch(`http://127.0.0.1:${server!.port}${paths.error}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_TOKEN}` },
        body: JSON.stringify(withMessageId(errorH7Example, randomUUID())),
      }).then((answer) => answer.status);
    try {
      // Concurrent callbacks are committed in groups: one multi-row INSERT touching dozens of stored pages.
      for (let round = 0; round < 4; round++) {
        const statuses = await Promise.all(Array.from({ length: 100 }, post));
        expect(statuses.every((status) => status === 200)).toBe(true);
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // inotify's events arrive asynchronously
    } finally {
      watcher.close();
    }
    // Groups large enough for a journal past SQLite's 64 KiB (16 pages) did happen: without them this proves nothing.
    const metrics = await fetch(`http://127.0.0.1:${server.internalPort}/metrics`, {
      headers: { Authorization: `Bearer ${INTERNAL_TOKEN}` },
    }).then((answer) => answer.text());
    const groups = (le: string) => {
      const line = metrics.split("\n").find((row) => row.startsWith(`receiver_commit_batch_size_bucket{le="${le}"} `));
      return Number(line?.split(" ")[1]);
    };
    expect(groups("+Inf") - groups("20")).toBeGreaterThan(0);
    expect(created).toEqual([]);
  }, 60_000);
});
