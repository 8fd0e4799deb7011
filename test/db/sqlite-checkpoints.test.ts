import fs from "node:fs";
import { type Db, openStore } from "../../src/db/client";
import { WRITER_CHECKPOINT_PAGES } from "../../src/db/sqlite-checkpoints";
import { createTestDatabase, type TestDatabase } from "../support/databases";

/** About 2 MB in one commit: ~500 pages, fewer than the 1,000 from which a writer checkpoints by default. */
const writeTwoMegabytes = (db: Db) =>
  db.$executeRawUnsafe(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
     INSERT INTO "Scratch" SELECT randomblob(4000) FROM n`,
  );

/** The database file's size once `reached` says so, or after `ms`. */
async function sizeOf(file: string, ms: number, reached: (size: number) => boolean = () => false): Promise<number> {
  for (let waited = 0; waited < ms && !reached(fs.statSync(file).size); waited += 25)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return fs.statSync(file).size;
}

describe("the WAL's checkpoints on SQLite", () => {
  let testDatabase: TestDatabase;
  let file: string;
  beforeEach(async () => {
    testDatabase = await createTestDatabase("sqlite");
    file = testDatabase.database.url.slice("file:".length);
  });
  afterEach(() => testDatabase.drop());

  test("with checkpoints in the background, a commit reaches the database file without the writer checkpointing", async () => {
    const { db } = await openStore(testDatabase.database, { checkpointInBackground: true });
    try {
      const [{ wal_autocheckpoint }] =
        await db.$queryRawUnsafe<{ wal_autocheckpoint: number }[]>("PRAGMA wal_autocheckpoint");
      expect(Number(wal_autocheckpoint)).toBe(WRITER_CHECKPOINT_PAGES);
      await db.$executeRawUnsafe(`CREATE TABLE "Scratch" (b BLOB)`);
      const before = fs.statSync(file).size;
      await writeTwoMegabytes(db);
      expect(await sizeOf(file, 5_000, (size) => size > before + 2_000_000)).toBeGreaterThan(before + 2_000_000);
    } finally {
      await db.$disconnect();
    }
    // Both connections closed: the last one's checkpoint took the WAL away.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  }, 20_000);

  test("without them (a CLI command), the same commit stays in the WAL until the writer's own threshold", async () => {
    const { db } = await openStore(testDatabase.database);
    try {
      await db.$executeRawUnsafe(`CREATE TABLE "Scratch" (b BLOB)`);
      const before = fs.statSync(file).size;
      await writeTwoMegabytes(db);
      expect(await sizeOf(file, 500)).toBeLessThan(before + 100_000); // five of the background thread's intervals
    } finally {
      await db.$disconnect();
    }
  }, 20_000);
});
