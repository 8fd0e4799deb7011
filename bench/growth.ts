// Storage and speed as the table grows, for docs/growth.md; run by hand, not part of `npm run bench`:
//   npx tsc -p bench/tsconfig.json && node dist/bench/growth.js <sqlite|postgresql> <rows,rows,…> [--service]
// The query phase's realistic H7 stream (stored.ts) is bulk-loaded by seed.ts into a fresh database, growing it to
// each size in turn; at each: bytes per message (table, indexes, declarations), and with --service the service
// started on it, the query phase's queries timed (query.ts) and 15 s of intake driven as the intake phase does.
// SQLite also gets the archive's bytes per message (the service's archiver, at the first size). One JSON line per
// size on stdout. The database is created and dropped here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Client } from "pg";
import { openDatabase } from "../src/db/client";
import { archiveMessages } from "../src/upkeep/archive";
import type { DatabaseLocation } from "./acks";
import { drive } from "./intake";
import { measureQueries } from "./query";
import { describeMachine } from "./report";
import { seederFor } from "./seed";
import { storedMessages } from "./stored";
import { createBenchDatabase, dropBenchDatabase, startService, type Workspace } from "./targets";

interface Storage {
  messageTable: number; // bytes: heap (and TOAST) of "Message"
  messageIndexes: number;
  declarations: number; // "MessageDeclaration" with its indexes
  database: number; // the whole file / pg_database_size
}

async function main(): Promise<void> {
  const [provider, sizesText, flag] = process.argv.slice(2);
  if (provider !== "sqlite" && provider !== "postgresql") throw new Error("first argument: sqlite or postgresql");
  const sizes = (sizesText ?? "20000").split(",").map(Number);
  const work: Workspace = {
    dir: fs.mkdtempSync(path.join(os.tmpdir(), "receiver-growth-")),
    token: "bench-token-0123456789abcdef",
    postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  };
  const log = (line: string) => console.error(`[growth ${new Date().toISOString().slice(11, 19)}] ${line}`);
  console.log(JSON.stringify({ machine: await describeMachine(work.postgresAdminUrl) }));
  const { database, url } = await createBenchDatabase(work, provider, "growth");
  const seeder = seederFor(database, storedMessages());
  try {
    const empty = await storageOf(database);
    for (const [i, size] of sizes.entries()) {
      const seeding = await seeder.seed(size);
      log(`${provider}: ${seeding.rows} rows, seeded in ${seeding.seconds.toFixed(0)} s`);
      const storage = await storageOf(database);
      const perMessage = Object.fromEntries(
        Object.entries(storage).map(([part, bytes]) => [
          part,
          Math.round((bytes - empty[part as keyof Storage]) / seeding.rows),
        ]),
      );
      const archive = provider === "sqlite" && i === 0 ? await archiveBytes(url, work.dir) : undefined;
      const service = flag === "--service" ? await measureService(work, database, url, seeding.rows, log) : undefined;
      if (service) await removeAfter(database, seeding.rows); // the intake's messages: the next size is the stream's rows alone
      console.log(JSON.stringify({ provider, rows: seeding.rows, seeding, storage, perMessage, archive, service }));
    }
  } finally {
    await seeder.close();
    await dropBenchDatabase(work, database);
    fs.rmSync(work.dir, { recursive: true, force: true });
  }
}

async function storageOf(database: DatabaseLocation): Promise<Storage> {
  if (database.provider === "sqlite") {
    const db = new Database(database.file);
    try {
      db.exec("VACUUM"); // the size a freshly written file has; a live, fragmented one is larger
      const pages = db
        .prepare(
          `SELECT coalesce(m."tbl_name", s."name") AS "table", s."name" = coalesce(m."tbl_name", s."name") AS "isTable",
            sum(s."pgsize") AS "bytes" FROM dbstat AS s LEFT JOIN sqlite_master AS m ON m."name" = s."name" GROUP BY 1, 2`,
        )
        .all() as { table: string; isTable: number; bytes: number }[];
      const sum = (keep: (row: (typeof pages)[number]) => boolean) =>
        pages.filter(keep).reduce((total, row) => total + row.bytes, 0);
      return {
        messageTable: sum((row) => row.table === "Message" && row.isTable === 1),
        messageIndexes: sum((row) => row.table === "Message" && row.isTable === 0),
        declarations: sum((row) => row.table === "MessageDeclaration"),
        database: fs.statSync(database.file).size,
      };
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<keyof Storage, string>>(
      `SELECT pg_table_size('"Message"') AS "messageTable", pg_indexes_size('"Message"') AS "messageIndexes",
        pg_total_relation_size('"MessageDeclaration"') AS "declarations", pg_database_size(current_database()) AS "database"`,
    );
    return {
      messageTable: Number(rows[0].messageTable),
      messageIndexes: Number(rows[0].messageIndexes),
      declarations: Number(rows[0].declarations),
      database: Number(rows[0].database),
    };
  } finally {
    await client.end();
  }
}

/** Seeded ids run from 1 to `rows`; later rows (the intake's) are removed with their declarations. */
async function removeAfter(database: DatabaseLocation, rows: number): Promise<void> {
  const statements = [
    `DELETE FROM "MessageDeclaration" WHERE "messageRowId" > ${rows}`,
    `DELETE FROM "Message" WHERE "id" > ${rows}`,
  ];
  if (database.provider === "sqlite") {
    const db = new Database(database.file);
    for (const statement of statements) db.exec(statement);
    db.close();
    return;
  }
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
    await client.query(`VACUUM "Message", "MessageDeclaration"`);
  } finally {
    await client.end();
  }
}

/** Bytes per message of the daily archives (gzip NDJSON), written by the service's archiver from the SQLite file. */
async function archiveBytes(url: string, dir: string): Promise<{ messages: number; bytesPerMessage: number }> {
  const db = await openDatabase({ provider: "sqlite", url });
  const archiveDir = path.join(dir, "archive");
  try {
    const run = await archiveMessages(db, archiveDir, new Date("2030-01-01T00:00:00Z"));
    const bytes = run.parts.reduce((sum, part) => sum + fs.statSync(path.join(archiveDir, part.file)).size, 0);
    const messages = run.parts.reduce((sum, part) => sum + part.messages, 0);
    return { messages, bytesPerMessage: Math.round(bytes / messages) };
  } finally {
    await db.$disconnect();
    fs.rmSync(archiveDir, { recursive: true, force: true });
  }
}

/** The query phase's queries, then 15 s of intake (50 connections, new messages only), on the service. */
async function measureService(
  work: Workspace,
  database: DatabaseLocation,
  url: string,
  rows: number,
  log: (line: string) => void,
) {
  const running = await startService(`growth-${rows}`, url, work);
  try {
    const queries = await measureQueries(running, database, work.token, { requests: 200, pages: 1_000, warmup: 20 });
    for (const query of queries)
      log(`${rows} rows, ${query.query}: p50 ${query.p50.toFixed(2)} ms, p99 ${query.p99.toFixed(2)} ms`);
    const intake = await drive({
      url: running.url,
      serverPid: running.pid,
      token: work.token,
      mix: "unique",
      seed: 1000,
      acksFile: path.join(work.dir, `acks-${rows}.tsv`),
      seconds: 15,
      warmupSeconds: 2,
      connections: 50,
    });
    log(`${rows} rows, intake: ${Math.round(intake.rps)} req/s, p99 ${intake.p99.toFixed(1)} ms`);
    return { queries, intake };
  } finally {
    await running.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
