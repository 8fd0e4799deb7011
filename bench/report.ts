// What a run prints and keeps: the machine, one table, and the issue's targets measured against it.
import os from "node:os";
import Database from "better-sqlite3";
import { Client } from "pg";
import type { AckCheck } from "./acks";
import type { IntakeRow, IntakeSettings } from "./intake";
import type { PurgeRow, PurgeSettings } from "./purge";
import type { QueryResult, QueryRow, QuerySettings } from "./query";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  sqlite: string;
  postgres: string;
}

export async function describeMachine(postgresAdminUrl: string): Promise<Machine> {
  const memory = new Database(":memory:");
  const sqlite = memory.prepare("SELECT sqlite_version()").pluck().get() as string;
  memory.close();
  const client = new Client({ connectionString: postgresAdminUrl });
  await client.connect();
  const postgres = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0].server_version;
  await client.end();
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite,
    postgres,
  };
}

export function header(machine: Machine, settings: IntakeSettings): string {
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; node ${machine.node}, ` +
    `SQLite ${machine.sqlite}, PostgreSQL ${machine.postgres}.\n` +
    `autocannon 9, ${settings.connections} connections, pipelining 1, ${settings.seconds} s per mix after ${settings.warmupSeconds} s ` +
    `of warm-up (not counted), loopback; server, load generator (and PostgreSQL) share the cores; service LOG_LEVEL=warn.`
  );
}

/** Against the mean of the base's runs of the same mix: (a) runs before the services and again after them. */
const ratio = (row: IntakeRow, rows: IntakeRow[], base: IntakeRow["target"]) => {
  const baseRuns = rows.filter((candidate) => candidate.target === base && candidate.mix === row.mix);
  return baseRuns.length > 0 ? row.rps / (baseRuns.reduce((sum, run) => sum + run.rps, 0) / baseRuns.length) : NaN;
};

/** How far (a) moved between its run before the services and its run after them, per mix; a warning beyond 15 %,
 *  when the services' ratios depend on when they ran more than on what they did. */
export function drift(rows: IntakeRow[], threshold = 0.15): string {
  const moves = [...new Set(rows.map((row) => row.mix))].flatMap((mix) => {
    const runOf = (again: boolean) => rows.find((row) => row.target === "a" && row.mix === mix && row.again === again);
    const [first, second] = [runOf(false), runOf(true)];
    if (!first || !second) return [];
    return [{ mix, before: first.rps, after: second.rps, change: second.rps / first.rps - 1 }];
  });
  if (moves.length === 0) return "";
  const text = moves
    .map(({ mix, before, after, change }) => {
      const percent = `${change >= 0 ? "+" : "−"}${Math.abs(100 * change).toFixed(0)} %`;
      return `${mix} ${Math.round(before)} then ${Math.round(after)} req/s (${percent})`;
    })
    .join(", ");
  const line = `(a) before and after the services: ${text}; "× (a)" is against the mean of the two.`;
  return moves.some(({ change }) => Math.abs(change) > threshold)
    ? `${line}\nWARNING: (a) moved by more than ${100 * threshold} % during the run: this machine's speed drifted, and the ratios are uncertain by as much.`
    : line;
}
export const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const errorsOf = (row: IntakeRow) => row.non2xx + row.errors;
const lostOf = (row: IntakeRow) =>
  row.acks ? `${row.acks.lost + row.acks.wrongId} of ${row.acks.acknowledged}` : "n/a";

export const cpuOf = ({ cpu }: Pick<IntakeRow, "cpu">) =>
  cpu ? [cpu.server, cpu.driver, cpu.postgres, cpu.others].map((cores) => cores.toFixed(2)).join(" / ") : "–";

/** Less sensitive than req/s to other workloads on the machine: what one answer cost the server. */
const cpuPerRequest = ({ cpu, rps }: IntakeRow) =>
  cpu && rps > 0 ? String(Math.round((cpu.server / rps) * 1e6)) : "–";

export function table(rows: IntakeRow[]): string {
  const lines = [
    "| server | mix | req/s | p50 ms | p99 ms | errors | lost acks | × (a) | × (b) | server CPU µs/req | CPU server/load/PG/others |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${row.mix} | ${Math.round(row.rps)} | ${fixed(row.p50, 1)} | ${fixed(row.p99, 1)} | ${errorsOf(row)} | ` +
        `${lostOf(row)} | ${fixed(ratio(row, rows, "a"), 2)} | ${fixed(ratio(row, rows, "b"), 2)} | ${cpuPerRequest(row)} | ${cpuOf(row)} |`,
    );
  }
  return lines.join("\n");
}

export interface TargetCheck {
  check: string;
  measured: string;
  pass: boolean;
}

/** The issue's targets, for each mix. */
export function checkTargets(rows: IntakeRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of rows) {
    const at = `${row.target}${row.again ? " again" : ""}, ${row.mix}`;
    if (row.target === "c") {
      const toA = ratio(row, rows, "a");
      const toB = ratio(row, rows, "b");
      checks.push({ check: `(c) ≥ 0.5 × (a) [${row.mix}]`, measured: fixed(toA, 2), pass: toA >= 0.5 });
      checks.push({ check: `(c) ≥ 1.5 × (b) [${row.mix}]`, measured: fixed(toB, 2), pass: toB >= 1.5 });
    }
    if (row.target === "d") {
      const toA = ratio(row, rows, "a");
      checks.push({ check: `(d) ≥ 0.5 × (a) [${row.mix}]`, measured: fixed(toA, 2), pass: toA >= 0.5 }); // issue 14
    }
    if (row.target === "e" && rows.some((other) => other.target === "c" && other.mix === row.mix)) {
      const toC = ratio(row, rows, "c");
      checks.push({
        check: `(e) ≥ 0.8 × (c), intake with one destination [${row.mix}]`,
        measured: fixed(toC, 2),
        pass: toC >= 0.8,
      });
    }
    checks.push(...errorsAndAcks(at, errorsOf(row), row.acks));
  }
  return checks;
}

/** Zero errors, and every acknowledgement found in the database (when the server stores anything). */
export function errorsAndAcks(at: string, errors: number, acks: AckCheck | null): TargetCheck[] {
  const checks = [{ check: `zero errors [${at}]`, measured: String(errors), pass: errors === 0 }];
  if (acks) {
    const lost = acks.lost + acks.wrongId;
    const pass = lost === 0 && acks.acknowledged > 0; // nothing acknowledged would prove nothing
    checks.push({ check: `zero lost acknowledgements [${at}]`, measured: `${lost} of ${acks.acknowledged}`, pass });
  }
  return checks;
}

export function checksText(checks: TargetCheck[]): string {
  return checks.map((c) => `${c.pass ? "PASS" : "FAIL"}  ${c.check}: ${c.measured}`).join("\n");
}

/** Runs during which other processes took a noticeable share of the machine: their numbers are low. */
export function contention(rows: Pick<IntakeRow, "target" | "mix" | "cpu">[], threshold = 0.15): string | null {
  const noisy = rows.filter((row) => row.cpu && row.cpu.others > threshold);
  if (noisy.length === 0) return null;
  const list = noisy.map((row) => `${row.target}/${row.mix} (${row.cpu!.others.toFixed(2)} cores)`).join(", ");
  return `WARNING: other processes used CPU during ${list}; rerun on a quiet machine before comparing.`;
}

// The query phase.

const DATABASES: Record<QueryRow["database"], string> = { sqlite: "SQLite", postgresql: "PostgreSQL" };
const MAX_P99_RATIO = 1.5;
const rowsText = (rows: number) =>
  rows >= 1e6 && rows % 1e6 === 0
    ? `${rows / 1e6}M`
    : rows >= 1e3 && rows % 1e3 === 0
      ? `${rows / 1e3}k`
      : String(rows);

/** p99 at this size over p99 at the smallest size, same database and query. */
function p99Ratio(row: QueryRow, rows: QueryRow[]): number {
  const smallest = rows
    .filter((other) => other.database === row.database && other.query === row.query)
    .sort((a, b) => a.rows - b.rows)[0];
  return smallest && smallest !== row ? row.p99 / smallest.p99 : NaN;
}

export function queryHeader(settings: QuerySettings): string {
  return (
    `Query phase: GET /v1/messages?…&limit=50 on the service's internal API (node dist/src/main.js, LOG_LEVEL=warn), ` +
    `sequential requests on one keep-alive connection over loopback, each timed until its body is read; ${settings.warmup} ` +
    `warm-up rounds not counted; ${settings.requests} requests per filter, a ${settings.pages}-page cursor walk.`
  );
}

export function seedingTable(result: QueryResult): string {
  const lines = [
    "| database | rows | seeded in s | of which indexes s | rows/s | size MB |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const seeding of result.seeding) {
    lines.push(
      `| ${DATABASES[seeding.database]} | ${rowsText(seeding.rows)} | ${seeding.seconds.toFixed(1)} | ${seeding.indexSeconds.toFixed(1)} | ` +
        `${Math.round(seeding.added / seeding.seconds)} | ${Math.round(seeding.megabytes)} |`,
    );
  }
  return lines.join("\n");
}

export function queryTable(rows: QueryRow[]): string {
  const lines = [
    `| database | rows | query | answers | items/answer | p50 ms | p99 ms | total s | p99 ÷ p99 at ${rowsText(Math.min(...rows.map((row) => row.rows)))} | target | CPU server/bench/PG/others |`,
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|",
  ];
  for (const row of rows) {
    const ratio = p99Ratio(row, rows);
    const cpu = row.cpu
      ? [row.cpu.server, row.cpu.driver, row.cpu.postgres, row.cpu.others].map((cores) => cores.toFixed(2)).join(" / ")
      : "–";
    lines.push(
      `| ${DATABASES[row.database]} | ${rowsText(row.rows)} | ${row.query}${row.walks && row.walks > 1 ? ` (list walked ${row.walks} times)` : ""} | ` +
        `${row.answers} | ${fixed(row.itemsPerAnswer, 1)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${fixed(row.seconds, 2)} | ${fixed(ratio, 2)} | ` +
        `${Number.isFinite(ratio) ? `≤ ${MAX_P99_RATIO}: ${ratio <= MAX_P99_RATIO ? "met" : "not met"}` : ""} | ${cpu} |`,
    );
  }
  return lines.join("\n");
}

export function checkQueries(rows: QueryRow[]): TargetCheck[] {
  return rows.flatMap((row) => {
    const ratio = p99Ratio(row, rows);
    if (!Number.isFinite(ratio)) return [];
    const check = `p99 at ${rowsText(row.rows)} ≤ ${MAX_P99_RATIO} × p99 at the smallest size [${DATABASES[row.database]}, ${row.query}]`;
    return [{ check, measured: `${fixed(row.p99, 2)} ms, ${fixed(ratio, 2)} ×`, pass: ratio <= MAX_P99_RATIO }];
  });
}

export function queryContention(rows: QueryRow[], threshold = 0.15): string | null {
  const noisy = rows.filter((row) => row.cpu && row.cpu.others > threshold);
  if (noisy.length === 0) return null;
  const list = noisy
    .map(
      (row) =>
        `${DATABASES[row.database]} ${rowsText(row.rows)} ${row.query.split(" (")[0]} (${row.cpu!.others.toFixed(2)} cores)`,
    )
    .join(", ");
  return `WARNING: other processes used CPU during ${list}; rerun on a quiet machine before comparing.`;
}

// The purge phase.

const MAX_PURGE_P99_RATIO = 1.5;

export function purgeHeader(settings: PurgeSettings): string {
  return (
    `Purge phase: ${rowsText(settings.rows)} old messages seeded per database, the service started on them, intake ` +
    `(new H7 callbacks, ${settings.connections} connections, ${settings.seconds} s after ${settings.warmupSeconds} s of warm-up) ` +
    "driven alone, then again beside `cli db purge --yes` (RETENTION_DAYS=1, its own process), stopped afterwards."
  );
}

export function purgeTable(rows: PurgeRow[]): string {
  const lines = [
    "| database | alone req/s | p50 ms | p99 ms | during the purge req/s | p50 ms | p99 ms | p99 ratio | errors | rows purged meanwhile | CPU server/load/PG/others during |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    const { alone, duringPurge: during } = row;
    const cpu = during.cpu
      ? [during.cpu.server, during.cpu.driver, during.cpu.postgres, during.cpu.others]
          .map((c) => c.toFixed(2))
          .join(" / ")
      : "–";
    lines.push(
      `| ${DATABASES[row.database]} | ${Math.round(alone.rps)} | ${fixed(alone.p50, 1)} | ${fixed(alone.p99, 1)} | ` +
        `${Math.round(during.rps)} | ${fixed(during.p50, 1)} | ${fixed(during.p99, 1)} | ${fixed(during.p99 / alone.p99, 2)} | ` +
        `${alone.non2xx + alone.errors + during.non2xx + during.errors} | ${row.purged} in ${row.purgeSeconds.toFixed(1)} s | ${cpu} |`,
    );
  }
  return lines.join("\n");
}

export function checkPurge(rows: PurgeRow[]): TargetCheck[] {
  return rows.flatMap((row) => {
    const at = DATABASES[row.database];
    const ratio = row.duringPurge.p99 / row.alone.p99;
    const errors = row.alone.non2xx + row.alone.errors + row.duringPurge.non2xx + row.duringPurge.errors;
    return [
      {
        check: `intake p99 during a purge ≤ ${MAX_PURGE_P99_RATIO} × without [${at}]`,
        measured: `${fixed(row.duringPurge.p99, 1)} ms vs ${fixed(row.alone.p99, 1)} ms, ${fixed(ratio, 2)} ×`,
        pass: ratio <= MAX_PURGE_P99_RATIO,
      },
      { check: `zero errors, with and without the purge [${at}]`, measured: String(errors), pass: errors === 0 },
      {
        // Otherwise the second measurement was (partly) intake alone, and the ratio proves nothing.
        check: `the purge was removing rows throughout the measurement [${at}]`,
        measured: `${row.purged} rows, ${row.purgeRanThrough ? "still running at the end" : "ended before the measurement did"}`,
        pass: row.purgeRanThrough && row.purged > 0,
      },
    ];
  });
}
