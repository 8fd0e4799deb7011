// The open-loop load generator (issue 14): requests leave on a fixed schedule, evenly spaced, whether or not the
// earlier ones were answered, and each latency runs from the request's *scheduled* time. A server that falls
// behind then shows its queue in the latencies, instead of slowing the sender down (coordinated omission).
// One child process per run, like driver.ts; every 200 answer's { messageId, id } goes to a file for checkAcks.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import { type Callback, callbackStream, MIXES } from "./bodies";
import { type CpuShares, sampleCpu, sharesBetween } from "./cpu";
import { quantiles } from "./latency";

export interface OpenLoopSpec {
  url: string;
  serverPid?: number;
  token: string;
  mix: string;
  seed: number;
  rate: number; // requests offered per second
  warmupSeconds: number;
  seconds: number;
  acksFile: string;
}

export interface OpenLoopReport {
  offered: number; // req/s scheduled in the measured window
  achieved: number; // answers received during the measured window, per second
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** How late the generator itself sent, p99 (ms): when high, the generator fell behind, not (only) the server. */
  sendLagP99: number;
  non2xx: number;
  errors: number; // socket errors
  dropped: number; // never sent: MAX_OUTSTANDING requests were already waiting
  unanswered: number; // still without an answer DRAIN_MS after the schedule ended
  acknowledged: number;
  cpu: CpuShares | null;
}

// Beyond this many requests waiting, the server is not keeping up by far: further requests are counted as
// dropped rather than queued without bound, so the run ends on time.
const MAX_OUTSTANDING = 2000;
const MAX_SOCKETS = 256;
const DRAIN_MS = 10_000;

interface Tally {
  latencies: number[];
  sendLags: number[];
  acks: string[];
  counts: { answeredInWindow: number } & Pick<OpenLoopReport, "non2xx" | "errors" | "dropped" | "unanswered">;
}

function load(spec: OpenLoopSpec, next: () => Callback) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const { hostname, port } = new URL(spec.url);
  const headers = { authorization: `Bearer ${spec.token}`, "content-type": "application/json" };
  const interval = 1000 / spec.rate;
  const warmupCount = Math.round(spec.warmupSeconds * spec.rate);
  const total = warmupCount + Math.round(spec.seconds * spec.rate);
  const start = performance.now() + 20;
  const windowStart = start + warmupCount * interval;
  const windowEnd = start + total * interval;
  const counts = { answeredInWindow: 0, non2xx: 0, errors: 0, dropped: 0, unanswered: 0 };
  const tally: Tally = { latencies: [], sendLags: [], acks: [], counts };
  let outstanding = 0;
  let cpuBefore: ReturnType<typeof sampleCpu> = null;
  let cpuAfter: ReturnType<typeof sampleCpu> = null;
  const waiting = new Set<() => void>(); // what each outstanding measured request does if never answered

  const send = (i: number, at: number, now: number) => {
    const measured = i >= warmupCount;
    if (outstanding >= MAX_OUTSTANDING) {
      if (measured) counts.dropped++;
      return;
    }
    if (measured) tally.sendLags.push(now - at);
    const callback = next();
    outstanding++;
    let settled = false;
    const settle = (outcome: (done: number) => void) => {
      if (settled) return;
      settled = true;
      outstanding--;
      waiting.delete(abandon);
      const done = performance.now();
      if (done >= windowStart && done < windowEnd) counts.answeredInWindow++;
      outcome(done);
    };
    const abandon = () => settle(() => measured && counts.unanswered++);
    if (measured) waiting.add(abandon);
    const request = http.request({ agent, hostname, port, method: "POST", path: callback.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", () => settle(() => measured && counts.errors++));
      res.on("end", () =>
        settle((done) => {
          const status = res.statusCode ?? 0;
          if (status === 200) {
            const answer = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; messageId: string };
            tally.acks.push(`${answer.messageId}\t${answer.id}`);
          }
          if (!measured) return;
          tally.latencies.push(done - at);
          if (status < 200 || status > 299) counts.non2xx++;
        }),
      );
    });
    request.on("error", () => settle(() => measured && counts.errors++));
    request.setHeader("content-length", callback.body.length);
    request.end(callback.body);
  };

  return new Promise<{ tally: Tally; cpu: CpuShares | null }>((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      if (cpuBefore === null && i >= warmupCount) cpuBefore = sampleCpu(spec.serverPid);
      for (; i < total && start + i * interval <= now; i++) send(i, start + i * interval, now);
      if (i < total) return setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
      cpuAfter = sampleCpu(spec.serverPid);
      const deadline = performance.now() + DRAIN_MS;
      const drained = () => {
        if (outstanding > 0 && performance.now() < deadline) return setTimeout(drained, 20);
        for (const abandon of [...waiting]) abandon();
        agent.destroy();
        resolve({ tally, cpu: sharesBetween(cpuBefore, cpuAfter, os.cpus().length) });
      };
      drained();
    };
    setTimeout(tick, start - performance.now());
  });
}

async function main(spec: OpenLoopSpec): Promise<OpenLoopReport> {
  const mix = MIXES.find((candidate) => candidate.name === spec.mix);
  if (!mix) throw new Error(`unknown mix ${spec.mix}`);
  const { tally, cpu } = await load(spec, callbackStream(mix, spec.seed));
  // Warm-up acknowledgements are checked too: they were committed like any other.
  fs.writeFileSync(spec.acksFile, tally.acks.join("\n"));
  const { p50, p99, p999, max } = quantiles(tally.latencies);
  const { answeredInWindow, ...counts } = tally.counts;
  const offered = Math.round(spec.seconds * spec.rate) / spec.seconds;
  const achieved = answeredInWindow / spec.seconds;
  const sendLagP99 = quantiles(tally.sendLags).p99;
  return { offered, achieved, p50, p99, p999, max, sendLagP99, ...counts, acknowledged: tally.acks.length, cpu };
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2]) as OpenLoopSpec;
  main(spec).then(
    (report) => process.send!(report, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
