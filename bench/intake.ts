// The intake phase: each target started alone, driven by a separate driver process per mix (closed loop), then
// for (a), (c) and (d) at a fixed rate (open loop), and for (e) its delivery backlog watched draining; every
// acknowledgement checked against its database once the server has stopped.
import { fork } from "node:child_process";
import path from "node:path";
import { type AckCheck, checkAcks } from "./acks";
import { MIXES } from "./bodies";
import { type DeliveryRate, measureDrain } from "./delivery-rate";
import type { DriverReport, DriverSpec } from "./driver";
import type { OpenLoopReport, OpenLoopSpec } from "./open-loop";
import type { OpenLoopRow } from "./open-loop-report";
import { type Running, TARGETS, type Target, type Workspace } from "./targets";

export interface IntakeSettings {
  targets: Target["id"][];
  seconds: number;
  warmupSeconds: number;
  connections: number;
  openLoop: boolean;
  openLoopRate?: number; // req/s; by default half of what (a) answered in the closed loop, mix unique
}

export interface IntakeRow extends DriverReport {
  target: Target["id"];
  label: string;
  mix: string;
  again: boolean; // (a)'s second run, after the services
  acks: AckCheck | null; // null for (a), which stores nothing
}

export interface IntakeResult {
  rows: IntakeRow[];
  openLoop: { rate: number; source: string; rows: OpenLoopRow[] } | null;
  delivery: DeliveryRate | null;
}

const OPEN_LOOP_TARGETS: Target["id"][] = ["a", "c", "d"];
const SERVICES: Target["id"][] = ["c", "d", "e"];
const OPEN_LOOP_MIX = "unique";
const OPEN_LOOP_SHARE_OF_A = 0.5;

export async function runIntake(
  work: Workspace,
  settings: IntakeSettings,
  log: (line: string) => void,
): Promise<IntakeResult> {
  const result: IntakeResult = { rows: [], openLoop: null, delivery: null };
  if (settings.openLoop && settings.openLoopRate !== undefined)
    result.openLoop = { rate: settings.openLoopRate, source: "BENCH_OPEN_RATE", rows: [] };
  const targets = TARGETS.filter((candidate) => settings.targets.includes(candidate.id));
  for (const target of targets) await measure(target, work, settings, result, log);
  // These machines drift by a fifth within minutes: (a) measured once, before the services, can be read at another
  // speed than theirs. So it runs again after them, and each service is compared with the mean of the two.
  if (targets[0]?.id === "a" && targets.some((target) => SERVICES.includes(target.id)))
    await measure(targets[0], work, settings, result, log, true);
  if (settings.openLoop && !result.openLoop) log("open loop skipped: no rate (run (a) or set BENCH_OPEN_RATE)");
  return result;
}

/** One target started, driven through both mixes (and the open loop, the drain), stopped, its acknowledgements
 *  checked; its rows added to `result`. */
async function measure(
  target: Target,
  work: Workspace,
  settings: IntakeSettings,
  result: IntakeResult,
  log: (line: string) => void,
  again = false,
): Promise<void> {
  const label = again ? `${target.label}, again after the services` : target.label;
  log(`${label}: starting`);
  const running = await target.start(work);
  try {
    const driven: { row: Omit<IntakeRow, "acks">; acksFile: string }[] = [];
    const open: { row: Omit<OpenLoopRow, "acks">; acksFile: string }[] = [];
    try {
      const intakeStarted = performance.now();
      for (const [i, mix] of MIXES.entries()) {
        const acksFile = path.join(work.dir, `acks-${target.id}${again ? "-again" : ""}-${mix.name}.tsv`);
        const report = await drive({
          url: running.url,
          serverPid: running.pid,
          token: work.token,
          mix: mix.name,
          seed: 1000 + i, // the same sequence of channels and duplicates for every server
          acksFile,
          seconds: settings.seconds,
          warmupSeconds: settings.warmupSeconds,
          connections: settings.connections,
        });
        log(`${label}, ${mix.name}: ${Math.round(report.rps)} req/s, p99 ${report.p99.toFixed(1)} ms`);
        driven.push({ row: { target: target.id, label, mix: mix.name, again, ...report }, acksFile });
        if (target.id === "a" && mix.name === OPEN_LOOP_MIX && settings.openLoop && !result.openLoop) {
          const rate = OPEN_LOOP_SHARE_OF_A * report.rps;
          result.openLoop = { rate, source: `${OPEN_LOOP_SHARE_OF_A} × (a) ${OPEN_LOOP_MIX}`, rows: [] };
        }
      }
      if (running.receiver) result.delivery = await drain(running, work, intakeStarted, log);
      if (result.openLoop && OPEN_LOOP_TARGETS.includes(target.id) && !again) {
        const acksFile = path.join(work.dir, `acks-${target.id}-open-loop.tsv`);
        const report = await driveOpenLoop(running, work, settings, result.openLoop.rate, acksFile);
        log(
          `${target.label}, open loop: ${Math.round(report.achieved)} of ${Math.round(report.offered)} req/s, ` +
            `p99 ${report.p99.toFixed(1)} ms`,
        );
        open.push({ row: { target: target.id, label: target.label, mix: OPEN_LOOP_MIX, ...report }, acksFile });
      }
    } finally {
      await running.stop();
    }
    const acksOf = (acksFile: string) => (running.database ? checkAcks(running.database, [acksFile]) : null);
    for (const { row, acksFile } of driven) result.rows.push({ ...row, acks: await acksOf(acksFile) });
    for (const { row, acksFile } of open) result.openLoop?.rows.push({ ...row, acks: await acksOf(acksFile) });
    if (result.delivery && running.receiver) result.delivery.messages = result.rows.at(-1)?.acks?.rows;
  } finally {
    await running.dispose?.();
  }
}

async function drain(running: Running, work: Workspace, intakeStarted: number, log: (line: string) => void) {
  const rate = await measureDrain(running.internalUrl, work.token, running.receiver!, intakeStarted, performance.now());
  log(
    `delivery: ${rate.deliveredDuringIntake} during intake, ${rate.pendingAfterIntake} pending after it, ` +
      `${rate.deliveredDuringDrain} in ${rate.drainSeconds.toFixed(1)} s of drain, ${rate.pendingAtEnd} left`,
  );
  return rate;
}

function driveOpenLoop(
  running: Running,
  work: Workspace,
  settings: IntakeSettings,
  rate: number,
  acksFile: string,
): Promise<OpenLoopReport> {
  const spec: OpenLoopSpec = {
    url: running.url,
    serverPid: running.pid,
    token: work.token,
    mix: OPEN_LOOP_MIX,
    seed: 1000,
    rate,
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.seconds,
    acksFile,
  };
  return reportOf<OpenLoopReport>("open-loop.js", spec);
}

export const drive = (spec: DriverSpec) => reportOf<DriverReport>("driver.js", spec);

/** Runs a load generator in its own process, so it never shares an event loop with a server. */
function reportOf<Report>(script: string, spec: unknown): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, script), [JSON.stringify(spec)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: Report | undefined;
    child.once("message", (message) => (report = message as Report));
    child.once("error", reject);
    child.once("exit", (code) =>
      report ? resolve(report) : reject(new Error(`${script} exited with code ${code} without a report`)),
    );
  });
}
