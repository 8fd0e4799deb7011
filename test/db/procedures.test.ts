import { type Db, openStore, type Store } from "../../src/db/client";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { failAfterWriting, writeNotes } from "./procedure-fixture";

describe.each(databaseProviders())("a procedure on %s", (provider) => {
  let testDatabase: TestDatabase;
  let store: Store;
  let db: Db;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    store = await openStore(testDatabase.database);
    db = store.db;
  }, 60_000);
  afterAll(async () => {
    await db?.$disconnect();
    await testDatabase?.drop();
  });
  beforeEach(() => db.tokenEvent.deleteMany({ where: { event: "note" } }));

  test("runs its statements in one transaction and answers what it read, its input intact", async () => {
    const seen = await store.sql.perform(writeNotes, [
      { actor: "first", body: Buffer.from([0, 1, 255]) },
      { actor: "second", body: Buffer.from("é", "utf8") },
    ]);
    expect(seen).toEqual(["first:0001ff", "second:c3a9"]);
    expect(await db.tokenEvent.count({ where: { event: "note" } })).toBe(2);
  });

  test("that fails after writing leaves nothing, even when the failing statement was not waited for", async () => {
    await expect(store.sql.perform(failAfterWriting, "rolled back")).rejects.toThrow(/TableDoesNotExist/);
    expect(await db.tokenEvent.count({ where: { event: "note" } })).toBe(0);
  });

  test("leaves the connection usable after it failed", async () => {
    await store.sql.perform(failAfterWriting, "rolled back").catch(() => undefined);
    expect(await store.sql.perform(writeNotes, [{ actor: "after", body: Buffer.from([7]) }])).toEqual(["after:07"]);
  });

  test("a statement sent without waiting in a transaction that fails makes its COMMIT fail, and nothing commits", async () => {
    const failing = store.sql.transaction(async (sql) => {
      await sql.send(`INSERT INTO "TokenEvent" ("api", "event", "actor", "at") VALUES ('h7', 'note', ?, ?)`, [
        "sent",
        new Date(),
      ]);
      await sql.send(`INSERT INTO "NoSuchTable" ("x") VALUES (?)`, [1]);
    });
    await expect(failing).rejects.toThrow(/TableDoesNotExist/);
    expect(await db.tokenEvent.count({ where: { event: "note" } })).toBe(0);
  });
});
