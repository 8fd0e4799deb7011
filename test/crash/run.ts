// Crash test (npm run test:crash): the built server takes concurrent callbacks from a second process and is
// killed with SIGKILL mid-load, then restarted on the same database; every messageId it answered 200 must be
// stored, byte for byte. On SQLite (WAL, synchronous=FULL) and on a PostgreSQL database made for the run.
// Prints one line per kill cycle and exits 1 if any acknowledged message is missing or altered.
// CRASH_RESULTS_FILE=<file> also writes { numPassedTests, numFailedTests } there, as jest's --json does.
import { type ChildProcess, fork, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Client } from "pg";
import { bodyOf } from "../../src/messages/stored-body";
import { createEmptyTestDatabase, type Provider, type TestDatabase } from "../support/databases";
import { errorH7Example, paths } from "../support/examples";
import type { DriverReport, DriverStart } from "./driver";

const ROOT = path.resolve(__dirname, "../..");
const SERVER = path.join(ROOT, "dist/src/main.js");
const TOKEN = "crash-test-token-7Qm2xV9pL4sK8wN3";
const CYCLES = Number(process.env.CRASH_CYCLES ?? 3);
const CONCURRENCY = 32;
const LOAD_MS = [1500, 1100, 1900]; // how long the load runs before the kill, per cycle
const PROVIDERS: Provider[] =
  process.env.TEST_SKIP_POSTGRES === "1" && process.env.CI !== "true" ? ["sqlite"] : ["sqlite", "postgresql"];

interface CycleCheck {
  acked: number;
  found: number;
  lost: number;
  altered: number; // stored with other bytes than were sent (acknowledged or not)
  wrongId: number; // stored under another id than the 200 gave
  notAcked: number;
  notAckedStored: number;
  integrity: string; // SQLite's PRAGMA integrity_check ("ok"); "ok" on PostgreSQL
}

async function main(): Promise<void> {
  if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build first`);
  const started = Date.now();
  // The databases side by side: most of the time goes to the server's start (migrate deploy), not the load.
  const results = (await Promise.all(PROVIDERS.map(crashCycles))).flat();
  const failed = results.filter((passed) => !passed).length;
  console.log(
    `crash test: ${results.length - failed} checks passed, ${failed} failed, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (process.env.CRASH_RESULTS_FILE) {
    fs.writeFileSync(
      process.env.CRASH_RESULTS_FILE,
      JSON.stringify({ numPassedTests: results.length - failed, numFailedTests: failed }),
    );
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

/** CYCLES kill cycles on a fresh database of `provider`, then one more callback: one pass/fail per check. */
async function crashCycles(provider: Provider): Promise<boolean[]> {
  const results: boolean[] = [];
  const database = await createEmptyTestDatabase(provider);
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "crash-")), "server.log");
  let server: RunningServer | undefined;
  try {
    server = await startServer(database, logFile);
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const loadMs = LOAD_MS[(cycle - 1) % LOAD_MS.length];
      const report = await loadThenKill(server, `crash-${provider}-${cycle}-${process.pid}`, loadMs);
      server = await startServer(database, logFile); // recovery happens here: WAL replay, or PostgreSQL's own
      const check = await checkStored(database, report);
      const passed =
        check.acked > 0 &&
        check.lost === 0 &&
        check.altered === 0 &&
        check.wrongId === 0 &&
        check.integrity === "ok" &&
        report.anomalies.length === 0;
      results.push(passed);
      console.log(
        `crash test ${provider} cycle ${cycle}/${CYCLES}: SIGKILL after ${loadMs} ms of load (${CONCURRENCY} in flight); ` +
          `sent ${report.sent.length}, acked ${check.acked}, found ${check.found} byte-exact, lost ${check.lost}, altered ${check.altered}, ` +
          `wrong id ${check.wrongId}; not acked ${check.notAcked} (stored ${check.notAckedStored}, absent ${check.notAcked - check.notAckedStored}); ` +
          `integrity ${check.integrity}: ${passed ? "passed" : "FAILED"}`,
      );
      if (report.anomalies.length > 0) console.log(`  unexpected answers: ${report.anomalies.slice(0, 5).join("; ")}`);
      if (check.acked === 0)
        console.log(
          `  no acknowledgement at all: statuses ${JSON.stringify(report.statuses)}, errors ${JSON.stringify(report.errors)}`,
        );
    }
    const after = await postOne(server.port);
    results.push(after === 200);
    console.log(
      `crash test ${provider}: after the last restart a new callback gets ${after}: ${after === 200 ? "passed" : "FAILED"}`,
    );
    await stopServer(server.child);
  } catch (error) {
    if (server) await killHard(server.child);
    console.error(`crash test ${provider}: ${(error as Error).message}\n--- server log (tail) ---\n${tail(logFile)}`);
    results.push(false);
  } finally {
    await database.drop();
  }
  return results;
}

interface RunningServer {
  child: ChildProcess;
  port: number;
}

/** Servers still running: should this harness itself end early (an uncaught error), they end with it instead of
 *  living on, holding their test databases. */
const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started) child.kill("SIGKILL");
});

async function startServer(database: TestDatabase, logFile: string): Promise<RunningServer> {
  const port = await freePort();
  const log = fs.openSync(logFile, "a");
  const { NODE_OPTIONS: _tsx, INTERNAL_API_TOKEN: _internal, ...env } = process.env;
  const child = spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: {
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: database.database.url,
      H7_TOKEN: TOKEN,
      LOG_LEVEL: "warn",
      CHECKPOINT_DISABLE: "1",
    },
    stdio: ["ignore", log, log],
  });
  started.add(child);
  child.once("exit", () => started.delete(child));
  fs.closeSync(log);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) =>
      reject(new Error(`the server exited (${code ?? signal}) before it was ready`)),
    ),
  );
  await Promise.race([waitReady(port), exited]);
  return { child, port };
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await get(port, "/health/ready").catch(() => 0)) === 200) return;
    await sleep(50);
  }
  throw new Error("the server was not ready within 30 s");
}

/** Starts the driver, lets it load the server for `loadMs` from its first 200, kills the server with SIGKILL,
 *  and returns what the driver sent and which were acknowledged. */
async function loadThenKill(server: RunningServer, label: string, loadMs: number): Promise<DriverReport> {
  const driver = fork(path.join(__dirname, "driver.ts"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const kill = async () => {
    clearTimeout(neverLoaded);
    await killHard(server.child);
    // Once the server is gone the driver reports and exits on its own, possibly between this check and the send:
    // with a callback, a send that finds it gone (EPIPE) is passed there instead of crashing this harness.
    if (driver.connected) driver.send({ type: "stop" }, () => undefined);
  };
  const neverLoaded = setTimeout(() => void kill(), 10_000); // no 200 at all: the check will say so
  const report = new Promise<DriverReport>((resolve, reject) => {
    driver.on("message", (message: { type: string; report?: DriverReport }) => {
      if (message.type === "loaded") setTimeout(() => void kill(), loadMs);
      if (message.type === "report") resolve(message.report!);
    });
    driver.once("exit", (code) => reject(new Error(`the driver exited (${code}) without a report`)));
  });
  const start: DriverStart = { port: server.port, token: TOKEN, concurrency: CONCURRENCY, label };
  driver.send({ type: "start", start });
  try {
    return await withTimeout(report, loadMs + 30_000, "the driver did not report");
  } finally {
    clearTimeout(neverLoaded);
    if (driver.exitCode === null) driver.kill("SIGKILL");
  }
}

type StoredRow = { id: number | bigint; messageId: string; rawBody: Buffer; rawBodyCompression: string | null };
const STORED_COLUMNS = `"id", "messageId", "rawBody", "rawBodyCompression"`;

/** Reads the stored rows straight from the database, not through the service. */
async function checkStored(database: TestDatabase, report: DriverReport): Promise<CycleCheck> {
  const stored = new Map<string, { id: number; sha256: string }>();
  let integrity = "ok";
  const messageIds = report.sent.map(([messageId]) => messageId);
  // The body as it came, whether stored as it came or compressed (a large one).
  const keep = (row: StoredRow) =>
    stored.set(row.messageId, { id: Number(row.id), sha256: createHash("sha256").update(bodyOf(row)).digest("hex") });
  if (database.database.provider === "sqlite") {
    const db = new Database(database.database.url.slice("file:".length), { fileMustExist: true });
    const select = db.prepare(`SELECT ${STORED_COLUMNS} FROM "Message" WHERE "api" = 'h7' AND "messageId" = ?`);
    for (const messageId of messageIds) {
      const row = select.get(messageId) as StoredRow | undefined;
      if (row) keep(row);
    }
    integrity = (db.pragma("integrity_check") as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .join("; ");
    db.close();
  } else {
    const client = new Client({ connectionString: database.database.url });
    await client.connect();
    try {
      for (let i = 0; i < messageIds.length; i += 5_000) {
        const { rows } = await client.query<StoredRow>(
          `SELECT ${STORED_COLUMNS} FROM "Message" WHERE "api" = 'h7' AND "messageId" = ANY($1::text[])`,
          [messageIds.slice(i, i + 5_000)],
        );
        rows.forEach(keep);
      }
    } finally {
      await client.end();
    }
  }

  const sha256Sent = new Map(report.sent);
  const ackedIds = new Map(report.acked);
  const check: CycleCheck = {
    acked: ackedIds.size,
    found: 0,
    lost: 0,
    altered: 0,
    wrongId: 0,
    notAcked: 0,
    notAckedStored: 0,
    integrity,
  };
  for (const [messageId, sha256] of sha256Sent) {
    const row = stored.get(messageId);
    if (row && row.sha256 !== sha256) check.altered++;
    const ackedId = ackedIds.get(messageId);
    if (ackedId === undefined) {
      check.notAcked++;
      if (row) check.notAckedStored++;
    } else if (!row) {
      check.lost++;
    } else {
      if (row.sha256 === sha256) check.found++;
      if (row.id !== ackedId) check.wrongId++;
    }
  }
  return check;
}

async function postOne(port: number): Promise<number> {
  const body = JSON.stringify({
    ...errorH7Example,
    header: { ...errorH7Example.header, messageId: `crash-after-${Date.now()}` },
  });
  return request(port, "POST", paths.error, body);
}

const get = (port: number, urlPath: string) => request(port, "GET", urlPath);

function request(port: number, method: string, urlPath: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const call = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    call.on("error", reject);
    call.end(body);
  });
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await withTimeout(exited, 10_000, "the server did not stop on SIGTERM").catch(() => killHard(child));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tail = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-30).join("\n") : "(no log)";

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
