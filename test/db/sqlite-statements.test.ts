import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { Database } from "better-sqlite3";
import { keepPreparedStatements } from "../../src/db/sqlite-statements";

type Adapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>> & { client: Database };

describe("the SQLite connection's kept statements", () => {
  let adapter: Adapter;
  let prepared: string[];
  const statement = (sql: string, args: unknown[] = []) =>
    ({ sql, args, argTypes: args.map(() => ({ scalarType: "unknown", arity: "scalar" })) }) as never;
  const query = (sql: string, args: unknown[] = []) => adapter.queryRaw(statement(sql, args));

  beforeEach(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "receiver-statements-")), "kept.db");
    adapter = (await new PrismaBetterSQLite3({ url: `file:${file}` }).connect()) as Adapter;
    prepared = [];
    const prepare = adapter.client.prepare.bind(adapter.client);
    adapter.client.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as never;
    keepPreparedStatements(adapter.client, 64);
    await adapter.executeScript(`CREATE TABLE "Note" ("id" INTEGER PRIMARY KEY, "text" TEXT NOT NULL UNIQUE)`);
  });
  afterEach(() => adapter.dispose());

  test("are prepared once and run again with each call's own arguments", async () => {
    const insert = `INSERT INTO "Note" ("text") VALUES (?) RETURNING "id", "text"`;
    const first = await query(insert, ["first"]);
    const second = await query(insert, ["second"]);
    // ids as strings: the adapter reads integers as BigInt and answers them as text
    expect(first.rows).toEqual([["1", "first"]]);
    expect(second.rows).toEqual([["2", "second"]]);
    expect(first.columnNames).toEqual(["id", "text"]);
    const rows = await query(`SELECT "text" FROM "Note" WHERE "id" IN (?, ?) ORDER BY "id"`, [1, 2]);
    expect(rows.rows).toEqual([["first"], ["second"]]);
    expect(prepared.filter((sql) => sql === insert)).toHaveLength(1);
  });

  test("answer a statement without rows with its count of changes", async () => {
    const insert = `INSERT INTO "Note" ("text") VALUES (?)`;
    await query(insert, ["a"]);
    expect(await adapter.executeRaw(statement(insert, ["b"]))).toBe(1);
    expect((await query(`SELECT "text" FROM "Note" ORDER BY "id"`)).rows).toEqual([["a"], ["b"]]);
  });

  test("stay usable after one of their runs failed", async () => {
    const insert = `INSERT INTO "Note" ("text") VALUES (?)`;
    await query(insert, ["taken"]);
    await expect(query(insert, ["taken"])).rejects.toThrow();
    await query(insert, ["free"]);
    expect((await query(`SELECT "text" FROM "Note" ORDER BY "id"`)).rows).toEqual([["taken"], ["free"]]);
  });

  test("are the most recently used ones only, up to their size: the oldest is prepared again when it comes back", async () => {
    const texts = [1, 2, 3].map((n) => `SELECT ${n} AS n /* ${"x".repeat(12)} */`); // 32 characters: two fit in 64, not three
    for (const sql of [texts[0], texts[1], texts[0], texts[2], texts[0], texts[1]]) await query(sql);
    // the third text evicts the second (the first was used since), whose return prepares it again
    expect(prepared).toEqual(expect.arrayContaining([texts[0], texts[1], texts[2]]));
    expect(prepared.filter((sql) => sql === texts[0])).toHaveLength(1);
    expect(prepared.filter((sql) => sql === texts[1])).toHaveLength(2);
  });

  test("leave a statement longer than all they may keep unkept, prepared at each call", async () => {
    const long = `SELECT 1 AS n /* ${"x".repeat(64)} */`;
    await query(long);
    await query(long);
    expect(prepared.filter((sql) => sql === long)).toHaveLength(2);
  });

  test("carry a transaction begun, written and rolled back through the adapter", async () => {
    const tx = await adapter.startTransaction();
    await tx.executeRaw(statement(`INSERT INTO "Note" ("text") VALUES (?)`, ["gone"]));
    await tx.executeRaw(statement("ROLLBACK"));
    await tx.rollback();
    expect((await query(`SELECT "text" FROM "Note"`)).rows).toEqual([]);
  });
});
