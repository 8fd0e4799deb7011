import Database from "better-sqlite3";
import { applyMigrations, migrationFailure } from "../../src/db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/databases";

/** Another connection holding SQLite's write lock, as a service still committing its last group would (the
 *  service puts its database in WAL mode, where the migration's reads do not block that commit). */
function holdWriteLock(file: string) {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("BEGIN IMMEDIATE");
  return () => {
    db.exec("COMMIT");
    db.close();
  };
}

describe("migrating a SQLite database another connection is writing to", () => {
  let testDatabase: TestDatabase | undefined;
  afterEach(() => testDatabase?.drop());

  test("a migration waits past better-sqlite3's default 5 s for the lock, then succeeds", async () => {
    testDatabase = await createTestDatabase("sqlite"); // migrated: deploy has nothing to apply, yet writes
    const release = holdWriteLock(testDatabase.database.url.slice("file:".length));
    const released = new Promise<number>((resolve) =>
      setTimeout(() => {
        release();
        resolve(Date.now());
      }, 6_500),
    );
    await applyMigrations(testDatabase.database);
    expect(Date.now()).toBeGreaterThanOrEqual(await released);
  }, 30_000);
});

describe("a failed migration's message", () => {
  test("names a lock held too long in plain words, before Prisma's own output", () => {
    const prismaOutput =
      "12 migrations found in prisma/migrations\nError: Error in the underlying connector (WASM_ERROR): Error: unknown variant `SocketTimeout`, expected one of `GenericJs`";
    const message = migrationFailure(prismaOutput);
    expect(message.split("\n")[0]).toBe(
      "database migration failed: another connection held the SQLite database's write lock longer than a migration waits (SQLITE_BUSY)",
    );
    expect(message).toContain(prismaOutput);
  });

  test("is Prisma's output alone for any other failure", () => {
    expect(migrationFailure("Error: P3009 migrate found failed migrations")).toBe(
      "database migration failed:\nError: P3009 migrate found failed migrations",
    );
  });
});
