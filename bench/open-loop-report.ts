// The open-loop rows of the intake phase: one table and issue 14's latency targets below saturation.
import type { AckCheck } from "./acks";
import type { OpenLoopReport } from "./open-loop";
import { cpuOf, errorsAndAcks, fixed, type TargetCheck } from "./report";
import type { Target } from "./targets";

export interface OpenLoopRow extends OpenLoopReport {
  target: Target["id"];
  label: string;
  mix: string;
  acks: AckCheck | null; // null for (a), which stores nothing
}

/** Issue 14: at half of bare Express's rate, p99 at most this, on both databases. */
const MAX_OPEN_LOOP_P99_MS = 15;
/** Kept up: answered at least this share of the rate offered. */
const KEPT_UP = 0.98;

const errorsOf = (row: OpenLoopRow) => row.non2xx + row.errors + row.dropped + row.unanswered;
const keptUp = (row: OpenLoopRow) => row.achieved >= KEPT_UP * row.offered;
const lostOf = (row: OpenLoopRow) => (row.acks ? row.acks.lost + row.acks.wrongId : 0);

export function openLoopHeader(rate: number, source: string): string {
  return (
    `Open loop, mix unique, ${Math.round(rate)} req/s offered (${source}): requests sent on an evenly spaced ` +
    "schedule whatever the answers, over keep-alive connections (up to 256), each latency from the request's scheduled " +
    "time, so a server falling behind shows its queue; same warm-up and length as the closed loop. Errors: non-2xx, " +
    "socket errors, requests not sent because 2,000 were already waiting, requests unanswered 10 s after the schedule."
  );
}

export function openLoopTable(rows: OpenLoopRow[]): string {
  const lines = [
    "| server | offered req/s | achieved req/s | kept up | p50 ms | p99 ms | p99.9 ms | max ms | errors | lost acks | send lag p99 ms | CPU server/load/PG/others |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${Math.round(row.offered)} | ${Math.round(row.achieved)} | ${keptUp(row) ? "yes" : "no"} | ` +
        `${fixed(row.p50, 1)} | ${fixed(row.p99, 1)} | ${fixed(row.p999, 1)} | ${fixed(row.max, 1)} | ${errorsOf(row)} | ` +
        `${row.acks ? `${lostOf(row)} of ${row.acks.acknowledged}` : "n/a"} | ${fixed(row.sendLagP99, 1)} | ${cpuOf(row)} |`,
    );
  }
  return lines.join("\n");
}

export function checkOpenLoop(rows: OpenLoopRow[], rateSource: string): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of rows) {
    if (row.target === "c" || row.target === "d") {
      checks.push({
        check: `(${row.target}) open-loop p99 ≤ ${MAX_OPEN_LOOP_P99_MS} ms at ${rateSource}`,
        measured: `${fixed(row.p99, 1)} ms at ${Math.round(row.offered)} req/s offered, ${Math.round(row.achieved)} answered${keptUp(row) ? "" : " (did not keep up)"}`,
        pass: row.p99 <= MAX_OPEN_LOOP_P99_MS && keptUp(row),
      });
    }
    checks.push(...errorsAndAcks(`${row.target}, open loop`, errorsOf(row), row.acks));
  }
  return checks;
}
