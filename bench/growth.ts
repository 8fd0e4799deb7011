// A quick storage figure for docs/growth.md: bytes per message on both databases and in the archive, from
// `ROWS` rows of the query phase's realistic H7 stream (stored.ts) bulk-loaded by seed.ts. Not the benchmark:
// run it by hand, `npx tsx bench/growth.ts [rows]`, against fresh databases it creates and drops.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Client } from "pg";
import { openDatabase } from "../src/db/client";
import { applyMigrations } from "../src/db/migrate";
import { archiveMessages } from "../src/upkeep/archive";
import { seederFor, seedSqlite } from "./seed";
import { storedMessages } from "./stored";

const ROWS = Number(process.argv[2] ?? 20_000);
const SERVER = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-growth-"));
  const file = path.join(dir, "growth.db");
  const name = `receiver_growth_${process.pid}`;
  const pgUrl = Object.assign(new URL(SERVER), { pathname: `/${name}` }).toString();
  const server = new Client({ connectionString: SERVER });
  await server.connect();
  try {
    await applyMigrations({ provider: "sqlite", url: `file:${file}` });
    const sqliteEmpty = fs.statSync(file).size;
    seedSqlite(file, storedMessages(), ROWS);
    const vacuumed = new Database(file);
    vacuumed.exec("VACUUM");
    vacuumed.close();
    const sqliteBytes = fs.statSync(file).size - sqliteEmpty;

    await server.query(`CREATE DATABASE "${name}"`);
    await applyMigrations({ provider: "postgresql", url: pgUrl });
    await seederFor({ provider: "postgresql", url: pgUrl }, storedMessages()).seed(ROWS);
    const pg = new Client({ connectionString: pgUrl });
    await pg.connect();
    const sizes = await pg.query<{
      heap: string;
      toast: string;
      indexes: string;
      total: string;
    }>(`SELECT pg_relation_size('"Message"') AS heap,
      pg_total_relation_size('"Message"') - pg_relation_size('"Message"') - pg_indexes_size('"Message"') AS toast,
      pg_indexes_size('"Message"') AS indexes, pg_total_relation_size('"Message"') AS total`);
    await pg.end();
    const body = await averageBody(file);

    const db = await openDatabase({ provider: "sqlite", url: `file:${file}` });
    const archiveDir = path.join(dir, "archive");
    const run = await archiveMessages(db, archiveDir, new Date("2027-01-01T00:00:00Z"));
    await db.$disconnect();
    const archiveBytes = run.parts.reduce((sum, part) => sum + fs.statSync(path.join(archiveDir, part.file)).size, 0);
    const archived = run.parts.reduce((sum, part) => sum + part.messages, 0);

    const per = (bytes: number, rows = ROWS) => Math.round(bytes / rows);
    const { heap, toast, indexes, total } = sizes.rows[0];
    console.log(
      JSON.stringify(
        {
          rows: ROWS,
          averageRawBodyBytes: Math.round(body),
          sqliteBytesPerMessage: per(sqliteBytes),
          postgresBytesPerMessage: {
            total: per(Number(total)),
            heap: per(Number(heap)),
            toast: per(Number(toast)),
            indexes: per(Number(indexes)),
          },
          archiveBytesPerMessage: per(archiveBytes, archived),
          archivedMessages: archived,
          archiveParts: run.parts.length,
        },
        null,
        2,
      ),
    );
  } finally {
    await server.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await server.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function averageBody(file: string): Promise<number> {
  const db = new Database(file, { readonly: true });
  const row = db.prepare(`SELECT AVG(LENGTH("rawBody")) AS bytes FROM "Message"`).get() as { bytes: number };
  db.close();
  return row.bytes;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
