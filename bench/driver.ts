// The load generator: one child process per (target, mix), so autocannon never shares an event loop with a
// server. It sends a warm-up (not measured), then the measured run, and reports to its parent over IPC.
// Every 200 answer's { messageId, id } is written to a file, so the parent can check each against the database.
import fs from "node:fs";
import os from "node:os";
import autocannon from "autocannon";
import { callbackStream, MIXES } from "./bodies";
import { type CpuShares, sampleCpu, sharesBetween } from "./cpu";
import { quantiles } from "./latency";

export interface DriverSpec {
  url: string;
  serverPid?: number;
  token: string;
  mix: string;
  seed: number;
  warmupSeconds: number;
  seconds: number;
  connections: number;
  acksFile: string;
}

export interface DriverReport {
  responses: number;
  warmupResponses: number; // not counted in anything below; for per-request costs from a profile
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  acknowledged: number;
  duplicatesAcknowledged: number;
  bytesSent: number;
  cpu: CpuShares | null;
}

interface Tally {
  latencies: number[];
  acks: string[];
  duplicates: number;
  bytesSent: number;
}

function load(spec: DriverSpec, seconds: number, next: ReturnType<typeof callbackStream>, tally: Tally) {
  const started = process.hrtime.bigint();
  return new Promise<{ result: autocannon.Result; seconds: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        duration: seconds,
        method: "POST",
        headers: { authorization: `Bearer ${spec.token}`, "content-type": "application/json" },
        requests: [
          {
            setupRequest: (request) => {
              const callback = next();
              tally.bytesSent += callback.body.length;
              return { ...request, method: "POST", path: callback.path, body: callback.body };
            },
            onResponse: (status, body) => {
              if (status !== 200) return;
              const answer = JSON.parse(body) as { id: number; messageId: string; duplicate: boolean };
              tally.acks.push(`${answer.messageId}\t${answer.id}`);
              if (answer.duplicate) tally.duplicates++;
            },
          },
        ],
      },
      (error, result) =>
        error ? reject(error) : resolve({ result, seconds: Number(process.hrtime.bigint() - started) / 1e9 }),
    );
    // autocannon's histogram has 1 ms resolution; per-response times are hrtime floats.
    instance.on("response", (_client, _status, _bytes, ms: number) => tally.latencies.push(ms));
  });
}

async function main(spec: DriverSpec): Promise<DriverReport> {
  const mix = MIXES.find((candidate) => candidate.name === spec.mix);
  if (!mix) throw new Error(`unknown mix ${spec.mix}`);
  const next = callbackStream(mix, spec.seed);
  const warmup: Tally = { latencies: [], acks: [], duplicates: 0, bytesSent: 0 };
  if (spec.warmupSeconds > 0) await load(spec, spec.warmupSeconds, next, warmup);
  const tally: Tally = { latencies: [], acks: [], duplicates: 0, bytesSent: 0 };
  const cpuBefore = sampleCpu(spec.serverPid);
  const { result, seconds } = await load(spec, spec.seconds, next, tally);
  const cpu = sharesBetween(cpuBefore, sampleCpu(spec.serverPid), os.cpus().length);

  // Warm-up acknowledgements are checked too: they were committed like any other.
  fs.writeFileSync(spec.acksFile, [...warmup.acks, ...tally.acks].join("\n"));
  const { count, p50, p99, max } = quantiles(tally.latencies);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat?.count ?? 0;
  return {
    responses: count,
    warmupResponses: warmup.latencies.length,
    seconds,
    rps: count / seconds,
    p50,
    p99,
    max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    acknowledged: tally.acks.length + warmup.acks.length,
    duplicatesAcknowledged: tally.duplicates,
    bytesSent: tally.bytesSent,
    cpu,
  };
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2]) as DriverSpec;
  main(spec).then(
    (report) => process.send!(report, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
