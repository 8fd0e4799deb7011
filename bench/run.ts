// `npm run bench`: the intake benchmark of issue 6. Phases are separate modules (intake.ts now; a query phase
// can be added beside it); this file only reads the settings, runs the phases and reports.
// Settings (environment): BENCH_SECONDS (15), BENCH_WARMUP (3), BENCH_CONNECTIONS (50), BENCH_TARGETS (a,b,c,d),
// BENCH_POSTGRES_URL (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_PROFILE (a folder: servers run
// under node --cpu-prof and write <target>.cpuprofile there), BENCH_KEEP=1 (keep the temporary folder).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runIntake, type IntakeSettings } from "./intake";
import { checkTargets, checksText, contention, describeMachine, header, table } from "./report";
import type { Target, Workspace } from "./targets";

const RESULTS = path.resolve(__dirname, "..", "..", "bench", "results.json");

function settingsFromEnv(): IntakeSettings {
  const number = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
    return value;
  };
  const targets = (process.env.BENCH_TARGETS ?? "a,b,c,d").split(",").map((id) => id.trim()) as Target["id"][];
  return { targets, seconds: number("BENCH_SECONDS", 15), warmupSeconds: number("BENCH_WARMUP", 3), connections: number("BENCH_CONNECTIONS", 50) };
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
  const log = (line: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  try {
    const machine = await describeMachine(postgresAdminUrl);
    const intake = await runIntake(work, settings, log);
    const checks = checkTargets(intake);
    const results = { date: new Date().toISOString(), commit: gitCommit(), machine, settings, intake, checks, seconds: (Date.now() - started) / 1000 };
    fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2) + "\n");
    console.log(`\n${header(machine, settings)}\n\n${table(intake)}\n\n${checksText(checks)}\n`);
    const noise = contention(intake);
    if (noise) console.log(`${noise}\n`);
    log(`done; results in ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    if (process.env.BENCH_KEEP !== "1") fs.rmSync(work.dir, { recursive: true, force: true });
    else log(`kept ${work.dir}`);
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
