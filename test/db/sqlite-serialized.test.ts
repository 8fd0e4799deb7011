import { openDatabase } from "../../src/db/client";
import { createTestDatabase, openedForSuite } from "../support/databases";

describe("SQLite client shared by transactions and plain queries", () => {
  const opened = openedForSuite("sqlite");

  const event = (actor: string) => ({ data: { api: "h7", event: "test", actor, at: new Date() } });

  test("a write issued while another transaction is open survives that transaction's rollback", async () => {
    let outsideDone!: Promise<unknown>;
    const rolledBack = opened.db
      .$transaction(async (tx) => {
        await tx.tokenEvent.create(event("inside"));
        outsideDone = opened.db.tokenEvent.create(event("outside")).then(() => "acknowledged"); // then(): Prisma queries are lazy
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error("business rollback");
      })
      .catch((error: Error) => error.message);
    expect(await rolledBack).toBe("business rollback");
    expect(await outsideDone).toBe("acknowledged");
    const actors = (await opened.db.tokenEvent.findMany({ where: { actor: { in: ["inside", "outside"] } } })).map(
      (row) => row.actor,
    );
    expect(actors).toEqual(["outside"]);
  });

  test("a plain read does not see the rows of a transaction that then rolls back", async () => {
    let seenDuring!: Promise<number>;
    await opened.db
      .$transaction(async (tx) => {
        await tx.tokenEvent.create(event("uncommitted"));
        seenDuring = opened.db.tokenEvent.count({ where: { actor: "uncommitted" } }).then((count) => count);
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error("business rollback");
      })
      .catch(() => undefined);
    expect(await seenDuring).toBe(0);
  });

  test("two transactions and plain writes interleaved all commit", async () => {
    await Promise.all([
      opened.db.$transaction(async (tx) => {
        await tx.tokenEvent.create(event("t1"));
        await new Promise((resolve) => setTimeout(resolve, 10));
        await tx.tokenEvent.create(event("t1"));
      }),
      opened.db.tokenEvent.create(event("plain")).then(() => undefined),
      opened.db.$transaction(async (tx) => {
        await tx.tokenEvent.create(event("t2"));
      }),
      opened.db.tokenEvent.create(event("plain")),
    ]);
    expect(await opened.db.tokenEvent.count({ where: { actor: { in: ["t1", "t2", "plain"] } } })).toBe(5);
  });
});

describe("SQLite statistics for the query planner", () => {
  test("opening the database runs ANALYZE where it is due, so the planner has statistics", async () => {
    const testDatabase = await createTestDatabase("sqlite");
    const seed = await openDatabase(testDatabase.database);
    const base = {
      api: "h7",
      pathParams: "{}",
      rawBody: new Uint8Array(1),
      bodySha256: "x",
      contentType: "application/json",
      headers: "{}",
      receivedAt: new Date(),
      validation: "valid",
      findings: "[]",
    };
    await seed.message.createMany({
      data: Array.from({ length: 3000 }, (_, i) => ({
        ...base,
        messageId: `m${i}`,
        channel: i % 3 ? "declaration_error" : "unknown",
        state: i % 2 ? "ACC" : "REJ",
      })),
    });
    await seed.$executeRawUnsafe("DELETE FROM sqlite_stat1").catch(() => undefined); // no statistics yet
    await seed.$disconnect();
    const db = await openDatabase(testDatabase.database);
    try {
      const stats = await db.$queryRawUnsafe<{ tbl: string }[]>(`SELECT tbl FROM sqlite_stat1 WHERE tbl = 'Message'`);
      expect(stats.length).toBeGreaterThan(0);
    } finally {
      await db.$disconnect();
      await testDatabase.drop();
    }
  });
});
