// The intake phase: each target started alone, driven by a separate driver process per mix, then every
// acknowledgement checked against its database once the server has stopped.
import { fork } from "node:child_process";
import path from "node:path";
import { type AckCheck, checkAcks } from "./acks";
import { MIXES } from "./bodies";
import type { DriverReport, DriverSpec } from "./driver";
import { TARGETS, type Target, type Workspace } from "./targets";

export interface IntakeSettings {
  targets: Target["id"][];
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface IntakeRow extends DriverReport {
  target: Target["id"];
  label: string;
  mix: string;
  acks: AckCheck | null; // null for (a), which stores nothing
}

export async function runIntake(
  work: Workspace,
  settings: IntakeSettings,
  log: (line: string) => void,
): Promise<IntakeRow[]> {
  const rows: IntakeRow[] = [];
  for (const target of TARGETS.filter((candidate) => settings.targets.includes(candidate.id))) {
    log(`${target.label}: starting`);
    const running = await target.start(work);
    try {
      const driven: { row: Omit<IntakeRow, "acks">; acksFile: string }[] = [];
      try {
        for (const [i, mix] of MIXES.entries()) {
          const acksFile = path.join(work.dir, `acks-${target.id}-${mix.name}.tsv`);
          const spec: DriverSpec = {
            url: running.url,
            serverPid: running.pid,
            token: work.token,
            mix: mix.name,
            seed: 1000 + i, // the same sequence of channels and duplicates for every server
            acksFile,
            seconds: settings.seconds,
            warmupSeconds: settings.warmupSeconds,
            connections: settings.connections,
          };
          const report = await drive(spec);
          log(`${target.label}, ${mix.name}: ${Math.round(report.rps)} req/s, p99 ${report.p99.toFixed(1)} ms`);
          driven.push({ row: { target: target.id, label: target.label, mix: mix.name, ...report }, acksFile });
        }
      } finally {
        await running.stop();
      }
      for (const { row, acksFile } of driven) {
        rows.push({ ...row, acks: running.database ? await checkAcks(running.database, [acksFile]) : null });
      }
    } finally {
      await running.dispose?.();
    }
  }
  return rows;
}

export function drive(spec: DriverSpec): Promise<DriverReport> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "driver.js"), [JSON.stringify(spec)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let report: DriverReport | undefined;
    child.once("message", (message) => (report = message as DriverReport));
    child.once("error", reject);
    child.once("exit", (code) =>
      report ? resolve(report) : reject(new Error(`driver exited with code ${code} without a report`)),
    );
  });
}
