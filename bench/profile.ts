// Where a server's time went, from a V8 .cpuprofile (BENCH_PROFILE=<folder> npm run bench writes one per server):
//   node dist/bench/profile.js <folder>/c.cpuprofile [top] [requests served, to print µs per request]
// Self time grouped into a few layers, then the busiest functions. Synchronous native work is charged to the JS
// function that called it: for SQLite that is the adapter's performIO, fsync included (better-sqlite3 is synchronous).
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// First match wins: order from the most specific.
const LAYERS: [string, RegExp][] = [
  ["idle", /^\(idle\)/],
  ["garbage collection", /^\(garbage collector\)/],
  ["SQLite (better-sqlite3 + adapter: SQL, I/O, fsync)", /better-sqlite3/],
  ["pg driver (pg, pg-protocol, adapter-pg)", /node_modules\/(pg|pg-protocol|pg-pool|@prisma\/adapter-pg)\//],
  ["Prisma query compiler (wasm)", /^wasm:|query_compiler/],
  ["Prisma client runtime (JS)", /@prisma\/client\//],
  ["validation (zod, douane/)", /node_modules\/zod\/|\/src\/douane\//],
  ["our intake and writer (src/)", /\/src\/|\/bench\//],
  [
    "Express, helmet, body reading",
    /node_modules\/(express|router|helmet|body-parser|raw-body|type-is|on-finished|finalhandler|parseurl|send|content-type|iconv-lite)\//,
  ],
  ["pino logging", /node_modules\/(pino|sonic-boom|thread-stream)/],
  [
    "Node HTTP, sockets, streams",
    /^node:(_http|net|internal\/streams|events|internal\/stream_base|stream|internal\/http|string_decoder|buffer)|^(writev|writeLatin1String|writeUtf8String)/,
  ],
  ["Node crypto, text encoding", /^node:internal\/(crypto|encoding)/],
  ["module loading (start-up)", /^node:internal\/modules|^wrapSafe/],
];

function layerOf(frame: ProfileNode["callFrame"]): string {
  const key = frame.url ? `${frame.url.replace(/^file:\/\//, "")}` : frame.functionName;
  for (const [name, pattern] of LAYERS) if (pattern.test(key) || pattern.test(frame.functionName)) return name;
  return "other";
}

export function summarize(profile: Profile, top = 20, requests = 0): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i]);
    total += profile.timeDeltas[i];
  });
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    const layer = layerOf(frame);
    layers.set(layer, (layers.get(layer) ?? 0) + micros);
    const where = frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/dist\//, "");
    const name = `${frame.functionName || "(anonymous)"}  ${where}${where ? `:${frame.lineNumber + 1}` : ""}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const busy = total - (layers.get("idle") ?? 0);
  const lines = (entries: Map<string, number>, n: number) =>
    [...entries]
      .filter(([name]) => name !== "idle" && !name.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => {
        const perRequest = requests > 0 ? `${(micros / requests).toFixed(0).padStart(6)} µs/req  ` : "";
        return `${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${perRequest}${name}`;
      });
  return [
    `${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(0)} %)` +
      (requests > 0 ? `, ${(busy / requests) | 0} µs per request` : "") +
      "; shares of busy time:",
    ...lines(layers, LAYERS.length + 1),
    "",
    `top ${top} functions by self time:`,
    ...lines(functions, top),
  ].join("\n");
}

if (require.main === module) {
  const [file, top, requests] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node dist/bench/profile.js <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(
    summarize(JSON.parse(fs.readFileSync(file, "utf8")) as Profile, Number(top ?? 20), Number(requests ?? 0)),
  );
}
