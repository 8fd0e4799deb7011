import fs from "node:fs";
import Database from "better-sqlite3";
import { type Db, openStore } from "../../src/db/client";
import { WRITER_CHECKPOINT_PAGES } from "../../src/db/sqlite-checkpoints";
import { createTestDatabase, type TestDatabase } from "../support/databases";

const TWO_MEGABYTES = 2_000_000;

/** Writes about 2 MB in one commit (~500 pages, fewer than the 1,000 from which a writer checkpoints by default) and
 *  returns how much the database file itself grew within `ms`: the WAL's pages reach it only by a checkpoint. */
async function fileGrowthAfterWriting(db: Db, file: string, ms: number): Promise<number> {
  await db.$executeRawUnsafe(`CREATE TABLE "Scratch" (b BLOB)`);
  const before = fs.statSync(file).size;
  await db.$executeRawUnsafe(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
     INSERT INTO "Scratch" SELECT randomblob(4000) FROM n`,
  );
  for (let waited = 0; waited < ms && fs.statSync(file).size - before < TWO_MEGABYTES; waited += 25)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return fs.statSync(file).size - before;
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
      expect(await fileGrowthAfterWriting(db, file, 5_000)).toBeGreaterThan(TWO_MEGABYTES);
    } finally {
      await db.$disconnect();
    }
    // Both connections closed: the last one's checkpoint took the WAL away.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  }, 20_000);

  test("on a new database, put in WAL mode after the checkpoint thread opened it (a first start), checkpoints run", async () => {
    const created = new Database(file);
    created.pragma("journal_mode = DELETE"); // as `prisma migrate deploy` leaves a new file
    created.close();
    const { db } = await openStore(testDatabase.database, { checkpointInBackground: true });
    try {
      expect(await fileGrowthAfterWriting(db, file, 5_000)).toBeGreaterThan(TWO_MEGABYTES);
    } finally {
      await db.$disconnect();
    }
  }, 20_000);

  test("without them (a CLI command), the same commit stays in the WAL until the writer's own threshold", async () => {
    const { db } = await openStore(testDatabase.database);
    try {
      // Five of the background thread's intervals.
      expect(await fileGrowthAfterWriting(db, file, 500)).toBeLessThan(100_000);
    } finally {
      await db.$disconnect();
    }
  }, 20_000);
});
