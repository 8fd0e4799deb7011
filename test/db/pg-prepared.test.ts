import { type Db, openStore } from "../../src/db/client";
import type { DriverSql } from "../../src/db/driver";
import { preparedOnPostgres } from "../../src/db/pg-pool";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { describeOnPostgres } from "../support/on-postgres";

/** Statements sent one after another take the pool's most recently used connection: the one this reads. */
const preparedOnThisConnection = async (sql: DriverSql) =>
  (await sql.query("SELECT statement FROM pg_prepared_statements", [])).map((row) => String(row.statement));

describeOnPostgres("the group statement prepared on PostgreSQL", () => {
  let testDatabase: TestDatabase;
  let db: Db;
  let sql: DriverSql;
  beforeAll(async () => {
    testDatabase = await createTestDatabase("postgresql");
    ({ db, sql } = await openStore(testDatabase.database));
  });
  afterAll(async () => {
    await db?.$disconnect();
    await testDatabase?.drop();
  });

  test("a marked statement runs as a named prepared statement on its connection from its third use", async () => {
    const marked = preparedOnPostgres("SELECT ?::int + 1 AS n");
    for (const value of [1, 2]) expect(await sql.query(marked, [value])).toEqual([{ n: value + 1 }]);
    expect(await preparedOnThisConnection(sql)).toEqual([]);
    for (const value of [3, 4]) expect(await sql.query(marked, [value])).toEqual([{ n: value + 1 }]);
    expect(await preparedOnThisConnection(sql)).toEqual([marked.replace("?", "$1")]);
  });

  test("an unmarked statement is never prepared", async () => {
    const before = await preparedOnThisConnection(sql);
    for (const value of [1, 2, 3, 4])
      expect(await sql.query("SELECT ?::int * 2 AS n", [value])).toEqual([{ n: value * 2 }]);
    expect(await preparedOnThisConnection(sql)).toEqual(before);
  });

  test("at most 400 KB of statement text is prepared on one connection; beyond, statements run unprepared", async () => {
    const before = (await preparedOnThisConnection(sql)).length;
    const padding = `/* ${"x".repeat(99_000)} */`;
    for (let text = 0; text < 6; text++) {
      const marked = preparedOnPostgres(`SELECT ?::int + ${text} AS n ${padding}`);
      for (let use = 0; use < 3; use++) expect(await sql.query(marked, [use])).toEqual([{ n: use + text }]);
    }
    // Four 99 KB texts are 396 KB, with the few before them: the fifth and sixth no longer fit.
    expect((await preparedOnThisConnection(sql)).length - before).toBe(4);
  });
});
