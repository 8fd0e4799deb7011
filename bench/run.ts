// `npm run bench`: the benchmark of issue 6. Phases are separate modules (intake.ts, query.ts, purge.ts); this file
// only reads the settings, runs the phases and reports. It exits with 1 when a check of the phases run failed.
// Settings (environment): BENCH_PHASES (intake,query,purge), BENCH_SECONDS (15), BENCH_WARMUP (2), BENCH_CONNECTIONS (50),
// BENCH_TARGETS (a,b,c,d,e; e is c with one destination configured; the query phase runs on the databases of c, SQLite, and d, PostgreSQL),
// BENCH_OPEN (1; 0 skips the intake's open-loop runs of a, c, d), BENCH_OPEN_RATE (their req/s; 0.5 × (a)'s unique req/s),
// BENCH_QUERY_ROWS (1000000: the large size of the query phase, after 10,000), BENCH_PURGE_ROWS (200000: old
// messages the purge phase seeds; its intake runs BENCH_SECONDS at 10 connections),
// BENCH_POSTGRES_URL (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_PROFILE (a folder: servers run
// under node --cpu-prof and write <target>.cpuprofile there), BENCH_KEEP=1 (keep the temporary folder).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkDelivery, deliveryTable } from "./delivery-rate";
import { type IntakeSettings, runIntake } from "./intake";
import { checkOpenLoop, openLoopHeader, openLoopTable } from "./open-loop-report";
import { type PurgeSettings, runPurge } from "./purge";
import { type QueryResult, type QuerySettings, runQueries } from "./query";
import {
  checkPurge,
  checkQueries,
  checksText,
  checkTargets,
  contention,
  describeMachine,
  drift,
  header,
  purgeHeader,
  purgeTable,
  queryContention,
  queryHeader,
  queryTable,
  seedingTable,
  type TargetCheck,
  table,
} from "./report";
import type { Target, Workspace } from "./targets";

const RESULTS = path.resolve(__dirname, "..", "..", "bench", "results.json");
const PHASES = ["intake", "query", "purge"] as const;
// The purge phase's intake: well below the intake phase's 50, so its p99 shows waits behind the purge's deletes
// more than queueing.
const PURGE_CONNECTIONS = 10;
type Phase = (typeof PHASES)[number];

function number(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
}

function positive(name: string): number {
  const value = number(name, 0);
  if (value === 0) throw new Error(`${name} must be a number > 0`);
  return value;
}

const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

function settingsFromEnv(): { phases: Phase[]; intake: IntakeSettings; query: QuerySettings; purge: PurgeSettings } {
  const phases = list("BENCH_PHASES", PHASES.join(","));
  const unknown = phases.filter((phase) => !(PHASES as readonly string[]).includes(phase));
  if (unknown.length > 0)
    throw new Error(`BENCH_PHASES: unknown phase ${unknown.join(", ")} (known: ${PHASES.join(", ")})`);
  const targets = list("BENCH_TARGETS", "a,b,c,d,e") as Target["id"][];
  const largest = number("BENCH_QUERY_ROWS", 1_000_000);
  const databases = [
    ...(targets.includes("c") ? ["sqlite" as const] : []),
    ...(targets.includes("d") ? ["postgresql" as const] : []),
  ];
  const seconds = number("BENCH_SECONDS", 15);
  const warmupSeconds = number("BENCH_WARMUP", 2);
  return {
    phases: phases as Phase[],
    intake: {
      targets,
      seconds,
      warmupSeconds,
      connections: number("BENCH_CONNECTIONS", 50),
      openLoop: process.env.BENCH_OPEN !== "0",
      openLoopRate: process.env.BENCH_OPEN_RATE ? positive("BENCH_OPEN_RATE") : undefined,
    },
    query: {
      databases,
      sizes: [...new Set([10_000, largest])].sort((a, b) => a - b),
      requests: 200,
      pages: 1_000,
      warmup: 20,
    },
    purge: {
      databases,
      rows: number("BENCH_PURGE_ROWS", 200_000),
      seconds,
      warmupSeconds,
      connections: PURGE_CONNECTIONS,
    },
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const settings = settingsFromEnv();
  const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const work: Workspace = {
    dir: fs.mkdtempSync(path.join(os.tmpdir(), "douane-bench-")),
    token: `bench-${randomBytes(16).toString("hex")}`,
    postgresAdminUrl,
    profileDir,
  };
  const log = (line: string) =>
    console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  try {
    const machine = await describeMachine(postgresAdminUrl);
    const commit = gitCommit();
    // A phase not run keeps its results from the previous run in results.json, with that run's date and commit.
    const previous = previousResults();
    const intakeRun =
      previous.intakeRun ??
      (previous.intake ? { date: previous.date, commit: previous.commit, seconds: previous.seconds } : undefined);
    const results = { ...previous, intakeRun, date: new Date().toISOString(), commit, machine };
    const printed: string[] = [];
    const failed: string[] = [];
    if (settings.phases.includes("intake")) {
      const phaseStarted = Date.now();
      const { rows: intake, openLoop, delivery } = await runIntake(work, settings.intake, log);
      const openRows = openLoop?.rows ?? [];
      const checks = [
        ...checkTargets(intake),
        ...checkOpenLoop(openRows, openLoop?.source ?? ""),
        ...(delivery ? checkDelivery(delivery) : []),
      ];
      failed.push(...failedOf(checks));
      Object.assign(results, {
        settings: settings.intake,
        intake,
        openLoop,
        deliveryRate: delivery,
        checks,
        intakeRun: { date: results.date, commit, seconds: (Date.now() - phaseStarted) / 1000 },
      });
      printed.push(header(machine, settings.intake), table(intake), drift(intake));
      if (openLoop && openRows.length > 0)
        printed.push(openLoopHeader(openLoop.rate, openLoop.source), openLoopTable(openRows));
      if (delivery) printed.push(deliveryTable(delivery));
      printed.push(
        checksText(checks),
        contention([...intake, ...openRows.map((row) => ({ ...row, mix: "open loop" }))]) ?? "",
      );
    }
    if (settings.phases.includes("query")) {
      const phaseStarted = Date.now();
      const query: QueryResult = await runQueries(work, settings.query, log);
      const checks = checkQueries(query.rows);
      failed.push(...failedOf(checks));
      Object.assign(results, {
        query: {
          date: results.date,
          commit,
          settings: settings.query,
          ...query,
          checks,
          seconds: (Date.now() - phaseStarted) / 1000,
        },
      });
      printed.push(
        queryHeader(settings.query),
        seedingTable(query),
        queryTable(query.rows),
        checksText(checks),
        queryContention(query.rows) ?? "",
      );
    }
    if (settings.phases.includes("purge")) {
      const phaseStarted = Date.now();
      const purge = await runPurge(work, settings.purge, log);
      const checks = checkPurge(purge);
      failed.push(...failedOf(checks));
      Object.assign(results, {
        purge: {
          date: results.date,
          commit,
          settings: settings.purge,
          rows: purge,
          checks,
          seconds: (Date.now() - phaseStarted) / 1000,
        },
      });
      printed.push(purgeHeader(settings.purge), purgeTable(purge), checksText(checks));
    }
    Object.assign(results, { seconds: (Date.now() - started) / 1000 });
    fs.writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\n${printed.filter((block) => block !== "").join("\n\n")}\n`);
    log(`done; results in ${path.relative(process.cwd(), RESULTS)}`);
    if (failed.length > 0) {
      log(`${failed.length} check(s) failed: ${failed.join("; ")}`);
      process.exitCode = 1;
    }
  } finally {
    if (process.env.BENCH_KEEP !== "1") fs.rmSync(work.dir, { recursive: true, force: true });
    else log(`kept ${work.dir}`);
  }
}

const failedOf = (checks: TargetCheck[]) => checks.filter((check) => !check.pass).map((check) => check.check);

function previousResults(): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(RESULTS, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
