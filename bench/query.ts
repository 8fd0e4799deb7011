// The query phase: for each database, seed 10k messages, time GET /v1/messages through the real service, grow the
// same table to 1M (BENCH_QUERY_ROWS) and time it again. Requests are sequential, one at a time on a keep-alive
// connection, from this process (idle otherwise), each timed with hrtime until its body is read.
import os from "node:os";
import type { DatabaseLocation } from "./acks";
import { type CpuShares, sampleCpu, sharesBetween } from "./cpu";
import { quantiles } from "./latency";
import { busyDeclarations, registeredDeclarations, type Seeder, type Seeding, seederFor } from "./seed";
import { REJECTED, storedMessages } from "./stored";
import { createBenchDatabase, dropBenchDatabase, type Running, startService, type Workspace } from "./targets";

export type QueryDatabase = DatabaseLocation["provider"];

export interface QuerySettings {
  databases: QueryDatabase[];
  sizes: number[]; // rows, smallest first: the first is the reference of the ratios
  requests: number; // per filter
  pages: number; // of the cursor walk
  warmup: number; // answers per query before timing, not counted
}

export interface QueryRow {
  database: QueryDatabase;
  rows: number;
  query: string;
  answers: number;
  itemsPerAnswer: number;
  p50: number;
  p99: number;
  max: number;
  seconds: number; // the sum of the answers' times
  walks?: number; // the cursor walk: 1, or more when the list ended before the last page and was walked again
  cpu: CpuShares | null;
}

export interface QueryResult {
  seeding: ({ database: QueryDatabase } & Seeding)[];
  rows: QueryRow[];
}

const PAGE = 50;
const WALK = "validation=valid"; // a broad filter: 98 % of the rows

export async function runQueries(
  work: Workspace,
  settings: QuerySettings,
  log: (line: string) => void,
): Promise<QueryResult> {
  const result: QueryResult = { seeding: [], rows: [] };
  const targets: { provider: "sqlite" | "postgresql"; database: DatabaseLocation; url: string; seeder: Seeder }[] = [];
  try {
    for (const provider of settings.databases) {
      const { database, url } = await createBenchDatabase(work, provider, "query");
      targets.push({ provider, database, url, seeder: seederFor(database, storedMessages()) });
    }
    for (const size of settings.sizes) {
      // Loading is most of this phase's time and is not what it measures: the databases load side by side
      // (SQLite on a worker thread), then each is measured alone.
      const seedings = await Promise.all(targets.map((target) => target.seeder.seed(size)));
      for (const [i, { provider, database, url }] of targets.entries()) {
        const seeding = seedings[i];
        result.seeding.push({ database: provider, ...seeding });
        log(
          `query, ${provider}: ${seeding.rows} rows seeded in ${seeding.seconds.toFixed(1)} s (indexes ${seeding.indexSeconds.toFixed(1)} s), ${Math.round(seeding.megabytes)} MB`,
        );
        const running = await startService(`query-${provider}-${size}`, url, work);
        try {
          for (const row of await measureQueries(running, database, work.token, settings)) {
            result.rows.push({ database: provider, rows: seeding.rows, ...row });
            log(
              `query, ${provider}, ${seeding.rows} rows, ${row.query}: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms`,
            );
          }
        } finally {
          await running.stop();
        }
      }
    }
  } finally {
    for (const { database, seeder } of targets) {
      await seeder.close();
      await dropBenchDatabase(work, database);
    }
  }
  return result;
}

export type Measured = Omit<QueryRow, "database" | "rows">;

/** The phase's queries, timed against a running service on the seeded `database` (also bench/growth.ts at 10M). */
export async function measureQueries(
  running: Running,
  database: DatabaseLocation,
  token: string,
  settings: Pick<QuerySettings, "requests" | "pages" | "warmup">,
): Promise<Measured[]> {
  const busy = await busyDeclarations(database, 10, 50, 20);
  const registered = await registeredDeclarations(database, 20);
  if (busy.length === 0) throw new Error("no declaration with 10 to 50 messages in the seeded rows");
  if (registered.length === 0) throw new Error("no registration of 50 declarations or more in the seeded rows");
  const get = getter(running.internalUrl, token);
  const byDeclaration = (i: number) =>
    `/v1/messages?customsDeclarationReference=${busy[i % busy.length]}&limit=${PAGE}`;
  const byRegistered = (i: number) =>
    `/v1/messages?customsDeclarationReference=${registered[i % registered.length]}&limit=${PAGE}`;
  const rejected = `/v1/messages?state=${REJECTED.state}&channel=${REJECTED.channel}&limit=${PAGE}`;
  const walkFrom = (cursor: string | null) => `/v1/messages?${WALK}&limit=${PAGE}${cursor ? `&cursor=${cursor}` : ""}`;
  for (let i = 0; i < settings.warmup; i++)
    for (const path of [byDeclaration(i), byRegistered(i), rejected, walkFrom(null)]) await get(path);

  const rows = [
    await timed(running, `customsDeclarationReference (${busy.length} declarations of 10–50 messages)`, () =>
      sequence(settings.requests, (i) => get(byDeclaration(i))),
    ),
    await timed(running, "customsDeclarationReference (the 50th declaration of registrations of 50–99)", () =>
      sequence(settings.requests, (i) => get(byRegistered(i))),
    ),
    await timed(running, `state=${REJECTED.state}&channel=${REJECTED.channel}`, () =>
      sequence(settings.requests, () => get(rejected)),
    ),
  ];
  let cursor: string | null = null;
  let walks = 0;
  const walk = await timed(running, `cursor walk, ${WALK}, ${settings.pages} pages`, () =>
    sequence(settings.pages, async () => {
      if (cursor === null) walks++; // a table of 10k rows has fewer pages: start again from the newest
      const timing = await get(walkFrom(cursor));
      cursor = timing.nextCursor;
      return timing;
    }),
  );
  return [...rows, { ...walk, walks }];
}

async function timed(running: Running, query: string, run: () => Promise<Timing[]>): Promise<Measured> {
  const before = sampleCpu(running.pid);
  const timings = await run();
  return { query, ...summary(timings), cpu: sharesBetween(before, sampleCpu(running.pid), os.cpus().length) };
}

interface Timing {
  ms: number;
  items: number;
  nextCursor: string | null;
}

function getter(baseUrl: string, token: string) {
  return async (pathAndQuery: string): Promise<Timing> => {
    const started = process.hrtime.bigint();
    const response = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200)
      throw new Error(`GET ${pathAndQuery} answered ${response.status}: ${text.slice(0, 300)}`);
    const page = JSON.parse(text) as { items: unknown[]; nextCursor: string | null };
    return { ms, items: page.items.length, nextCursor: page.nextCursor };
  };
}

async function sequence(count: number, one: (i: number) => Promise<Timing>): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (let i = 0; i < count; i++) timings.push(await one(i));
  return timings;
}

function summary(timings: Timing[]): Omit<Measured, "query" | "cpu" | "walks"> {
  const { count, p50, p99, max } = quantiles(timings.map((timing) => timing.ms));
  return {
    answers: count,
    itemsPerAnswer: timings.reduce((sum, timing) => sum + timing.items, 0) / count,
    p50,
    p99,
    max,
    seconds: timings.reduce((sum, timing) => sum + timing.ms, 0) / 1000,
  };
}
