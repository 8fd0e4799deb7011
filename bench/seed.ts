// Bulk seeding for the query phase: rows from stored.ts written straight to the database (not through the
// service), minutes not hours, each message with the declarations it names (MessageDeclaration). Indexes are
// dropped and rebuilt around each load, from their own definitions in the database (so they are exactly the
// migrations'), which is the usual bulk load and much faster than maintaining fifteen indexes row by row.
// The service must be stopped meanwhile.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { Client } from "pg";
import type { DatabaseLocation } from "./acks";
import { STORED_COLUMNS, type StoredMessage } from "./stored";

export interface Seeding {
  rows: number; // in the table afterwards
  added: number; // by this load
  seconds: number; // the whole load: rows generated and inserted, indexes rebuilt, statistics
  indexSeconds: number; // of which rebuilding the indexes
  megabytes: number; // the database's size on disk afterwards
}

const COLUMNS = STORED_COLUMNS.map((column) => `"${column}"`).join(", ");
const DECLARATION_COLUMNS = `"messageRowId", "position", "lrn", "customsDeclarationReference", "mrn"`;
const TABLES = `('Message', 'MessageDeclaration')`;

export interface Seeder {
  /** Inserts rows until the table holds `rows`. */
  seed(rows: number): Promise<Seeding>;
  close(): Promise<void>;
}

/** A seeder per database, each with its own row stream, so that both databases can be loaded at once. */
export function seederFor(database: DatabaseLocation, next: () => StoredMessage): Seeder {
  if (database.provider === "postgresql")
    return { seed: (rows) => seedPostgres(database.url, next, rows), close: async () => {} };
  const worker = new Worker(path.join(__dirname, "seed-worker.js"));
  return {
    seed: (rows) =>
      new Promise((resolve, reject) => {
        worker.once("message", (answer: { seeding?: Seeding; error?: string }) =>
          answer.seeding ? resolve(answer.seeding) : reject(new Error(answer.error)),
        );
        worker.once("error", reject);
        worker.postMessage({ file: database.file, rows });
      }),
    close: async () => void (await worker.terminate()),
  };
}

export function seedSqlite(file: string, next: () => StoredMessage, rows: number): Seeding {
  const started = performance.now();
  const db = new Database(file);
  try {
    // Seeding only: a crash mid-load loses a throwaway file. The service sets WAL and synchronous=FULL again on start.
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    const indexes = db
      .prepare(
        `SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" IN ${TABLES} AND "sql" IS NOT NULL`,
      )
      .all() as { name: string; sql: string }[];
    const insert = db.prepare(
      `INSERT INTO "Message" (${COLUMNS}) VALUES (${STORED_COLUMNS.map(() => "?").join(", ")})`,
    );
    const insertDeclaration = db.prepare(
      `INSERT INTO "MessageDeclaration" (${DECLARATION_COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
    );
    const count = () => db.prepare(`SELECT count(*) FROM "Message"`).pluck().get() as number;
    let indexSeconds = 0;
    const before = count();
    db.transaction(() => {
      for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
      for (let n = before; n < rows; n++) {
        const row = next();
        // The SQLite adapter's own DateTime text (ISO 8601, "+00:00"), so the service reads these rows like its own.
        const { lastInsertRowid } = insert.run(
          STORED_COLUMNS.map((column) =>
            row[column] instanceof Date ? (row[column] as Date).toISOString().replace("Z", "+00:00") : row[column],
          ),
        );
        row.declarations.forEach((d, position) =>
          insertDeclaration.run(lastInsertRowid, position, d.lrn, d.customsDeclarationReference, d.mrn),
        );
      }
      const indexing = performance.now();
      for (const index of indexes) db.exec(index.sql);
      indexSeconds = (performance.now() - indexing) / 1000;
    })();
    const after = count();
    return {
      rows: after,
      added: after - before,
      seconds: (performance.now() - started) / 1000,
      indexSeconds,
      megabytes: fs.statSync(file).size / 2 ** 20,
    };
  } finally {
    db.close();
  }
}

async function seedPostgres(url: string, next: () => StoredMessage, rows: number): Promise<Seeding> {
  const started = performance.now();
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET maintenance_work_mem = '256MB'"); // this session's index builds
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT "indexname", "indexdef" FROM pg_indexes WHERE "schemaname" = current_schema() AND "tablename" IN ${TABLES} AND "indexname" NOT LIKE '%_pkey'`,
    );
    for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);
    const count = async () =>
      Number((await client.query<{ count: string }>(`SELECT count(*) FROM "Message"`)).rows[0].count);
    const before = await count();
    const firstId = Number(
      (await client.query<{ id: string }>(`SELECT COALESCE(max("id"), 0) + 1 AS "id" FROM "Message"`)).rows[0].id,
    );
    // Ids are given, so that the declarations can name their message; the sequence follows afterwards.
    const declarations: string[] = [];
    await copyInto(url, `"Message" ("id", ${COLUMNS})`, rowLines(next, rows - before, firstId, declarations));
    await copyInto(
      url,
      `"MessageDeclaration" (${DECLARATION_COLUMNS})`,
      (function* () {
        for (let start = 0; start < declarations.length; start += 2_000)
          yield `${declarations.slice(start, start + 2_000).join("\n")}\n`;
      })(),
    );
    await client.query(`SELECT setval(pg_get_serial_sequence('"Message"', 'id'), (SELECT max("id") FROM "Message"))`);
    const indexing = performance.now();
    for (const index of indexes) await client.query(index.indexdef);
    const indexSeconds = (performance.now() - indexing) / 1000;
    await client.query(`ANALYZE "Message", "MessageDeclaration"`); // what autovacuum would have done long before a table reached this size
    const size = await client.query<{ bytes: string }>("SELECT pg_database_size(current_database()) AS bytes");
    const after = await count();
    return {
      rows: after,
      added: after - before,
      seconds: (performance.now() - started) / 1000,
      indexSeconds,
      megabytes: Number(size.rows[0].bytes) / 2 ** 20,
    };
  } finally {
    await client.end();
  }
}

/** Message rows as COPY text, 2,000 a chunk, from `firstId` on; their declarations' lines go to `declarations`. */
function* rowLines(
  next: () => StoredMessage,
  rows: number,
  firstId: number,
  declarations: string[],
): Generator<string> {
  for (let n = 0; n < rows; ) {
    const lines: string[] = [];
    for (const end = Math.min(rows, n + 2_000); n < end; n++) {
      const row = next();
      const id = firstId + n;
      lines.push([id, ...STORED_COLUMNS.map((column) => copyText(row[column]))].join("\t"));
      row.declarations.forEach((d, position) =>
        declarations.push([id, position, d.lrn, d.customsDeclarationReference, d.mrn].map(copyText).join("\t")),
      );
    }
    yield `${lines.join("\n")}\n`;
  }
}

/** COPY … FROM STDIN through psql (node-postgres has no COPY of its own): about 3 times as fast as INSERT … unnest(). */
async function copyInto(url: string, target: string, chunks: Iterable<string>): Promise<void> {
  const psql = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", `COPY ${target} FROM STDIN`], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  psql.stderr.on("data", (chunk) => (stderr += chunk));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve, reject) =>
    psql.once("error", reject).once("exit", (code) => resolve(void (exitCode = code))),
  );
  psql.stdin.on("error", () => {}); // a psql that stopped reading has exited: its status and stderr say why
  for (const chunk of chunks) {
    if (exitCode !== undefined) break;
    if (!psql.stdin.write(chunk))
      await Promise.race([new Promise((resolve) => psql.stdin.once("drain", resolve)), exited]);
  }
  psql.stdin.end();
  await exited;
  if (exitCode !== 0) throw new Error(`psql COPY exited with code ${exitCode}: ${stderr.trim()}`);
}

/** COPY's text format. Timestamps as UTC text: the columns are "timestamp without time zone" holding UTC, as Prisma writes them. */
function copyText(value: string | number | Date | Buffer | null): string {
  if (value === null) return "\\N";
  if (value instanceof Date) return value.toISOString().slice(0, -1);
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString("hex")}`;
  if (typeof value === "number") return String(value);
  return value.replace(/[\\\t\n\r]/g, (char) => COPY_ESCAPES[char]);
}

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** Declaration references named by between `min` and `max` messages, `count` of them spread over the table's ids. */
export function busyDeclarations(
  database: DatabaseLocation,
  min: number,
  max: number,
  count: number,
): Promise<string[]> {
  return spreadReferences(
    database,
    count,
    `SELECT "customsDeclarationReference" AS "ref" FROM "MessageDeclaration" WHERE "customsDeclarationReference" IS NOT NULL
    GROUP BY "customsDeclarationReference" HAVING count(*) BETWEEN ${min} AND ${max} ORDER BY min("messageRowId")`,
  );
}

/** The 50th declaration of registrations that name 50 to 99, `count` of them spread over the table's ids. */
export function registeredDeclarations(database: DatabaseLocation, count: number): Promise<string[]> {
  return spreadReferences(
    database,
    count,
    `SELECT d."customsDeclarationReference" AS "ref" FROM "MessageDeclaration" AS d
    JOIN "Message" AS m ON m."id" = d."messageRowId" WHERE m."channel" = 'request_registration' AND d."position" = 49 ORDER BY d."messageRowId"`,
  );
}

async function spreadReferences(database: DatabaseLocation, count: number, sql: string): Promise<string[]> {
  let refs: string[];
  if (database.provider === "sqlite") {
    const db = new Database(database.file, { readonly: true });
    refs = db.prepare(sql).pluck().all() as string[];
    db.close();
  } else {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    refs = (await client.query<{ ref: string }>(sql).finally(() => client.end())).rows.map((row) => row.ref);
  }
  const step = Math.max(1, refs.length / count);
  return Array.from({ length: Math.min(count, refs.length) }, (_, i) => refs[Math.floor(i * step)]);
}
