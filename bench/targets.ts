// The four servers under test, each started in its own process on loopback, with its database and its teardown;
// the query phase starts the service (c, d) on databases it seeded itself, with the same helpers.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Client } from "pg";
import { applyMigrations } from "../src/db/migrate";
import type { DatabaseLocation } from "./acks";
import { type Receiver, startReceiver } from "./delivery-rate";

export interface Target {
  id: "a" | "b" | "c" | "d" | "e";
  label: string;
  start(work: Workspace): Promise<Running>;
}

export interface Workspace {
  dir: string; // a fresh temporary folder for this run
  token: string;
  postgresAdminUrl: string;
  profileDir?: string; // when set, servers run under node --cpu-prof
}

export interface Running {
  url: string;
  internalUrl: string; // the service's internal API (INTERNAL_API_TOKEN is the workspace token); unused by (a) and (b)
  pid?: number;
  database?: DatabaseLocation; // where acknowledged messages must be found
  receiver?: Receiver; // (e)'s destination
  stop(): Promise<void>;
  /** After the acknowledgements were checked: drop what the run created outside the workspace folder. */
  dispose?(): Promise<void>;
}

const ROOT = path.resolve(__dirname, "..", "..");
/** The service is started as `npm start` starts it: node's flags and the script from package.json. */
const SERVICE: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))
  .scripts.start.split(" ")
  .slice(1);
const serverScript = (name: string) => [path.join(__dirname, "servers", `${name}.js`)];

export const TARGETS: Target[] = [
  {
    id: "a",
    label: "(a) bare Express 5: helmet + express.json, 204",
    start: (work) => startServer("a", serverScript("bare"), {}, work),
  },
  {
    id: "b",
    label: "(b) naive: express.json + zod + prisma.message.create, SQLite",
    async start(work) {
      const file = path.join(work.dir, "naive.db");
      await applyMigrations({ provider: "sqlite", url: `file:${file}` });
      const running = await startServer("b", serverScript("naive"), { DATABASE_URL: `file:${file}` }, work);
      return { ...running, database: { provider: "sqlite", file } };
    },
  },
  {
    id: "c",
    label: "(c) our service, SQLite (WAL, synchronous=FULL)",
    async start(work) {
      const file = path.join(work.dir, "service.db");
      const running = await startService("c", `file:${file}`, work);
      return { ...running, database: { provider: "sqlite", file } };
    },
  },
  {
    id: "d",
    label: "(d) our service, PostgreSQL",
    async start(work) {
      const url = await createPostgresDatabase(work.postgresAdminUrl, "intake");
      const running = await startService("d", url, work).catch(async (error) => {
        await dropPostgresDatabase(work.postgresAdminUrl, url);
        throw error;
      });
      return {
        ...running,
        database: { provider: "postgresql", url },
        dispose: () => dropPostgresDatabase(work.postgresAdminUrl, url),
      };
    },
  },
  {
    id: "e",
    label: "(e) our service, SQLite, one destination configured (a local receiver answering 204)",
    async start(work) {
      const receiver = await startReceiver();
      const file = path.join(work.dir, "service-delivering.db");
      const running = await startService("e", `file:${file}`, work);
      const created = await fetch(`${running.internalUrl}/v1/destinations`, {
        method: "POST",
        headers: { Authorization: `Bearer ${work.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ url: receiver.url }),
      });
      if (created.status !== 201) throw new Error(`creating the destination answered ${created.status}`);
      return {
        ...running,
        database: { provider: "sqlite", file },
        receiver,
        async stop() {
          await running.stop();
          await receiver.close();
        },
      };
    },
  },
];

/** This service (`npm start`'s command), which applies the migrations on start. */
export function startService(id: string, databaseUrl: string, work: Workspace): Promise<Running> {
  const env = {
    DATABASE_URL: databaseUrl,
    H7_TOKEN: work.token,
    INTERNAL_API_TOKEN: work.token,
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    VALIDATION_MODE: "reject",
  };
  return startServer(id, SERVICE, env, work);
}

async function startServer(id: string, args: string[], env: Record<string, string>, work: Workspace): Promise<Running> {
  const port = await freePort();
  const internalPort = await freePort();
  const profile = work.profileDir
    ? ["--cpu-prof", "--cpu-prof-dir", work.profileDir, "--cpu-prof-name", `${id}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...profile, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), INTERNAL_PORT: String(internalPort), NODE_ENV: "production" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/health/ready`, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, internalUrl: `http://127.0.0.1:${internalPort}`, pid: child.pid, stop: () => stopChild(child) };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was ready`);
    const status = await fetch(url).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** A fresh, migrated database for a phase: a SQLite file in the workspace, or a PostgreSQL database on the
 *  workspace's server (drop it with dropBenchDatabase). `url` is the service's DATABASE_URL for it. */
export async function createBenchDatabase(
  work: Workspace,
  provider: DatabaseLocation["provider"],
  phase: string,
): Promise<{ database: DatabaseLocation; url: string }> {
  const database: DatabaseLocation =
    provider === "sqlite"
      ? { provider, file: path.join(work.dir, `${phase}.db`) }
      : { provider, url: await createPostgresDatabase(work.postgresAdminUrl, phase) };
  const url = database.provider === "sqlite" ? `file:${database.file}` : database.url;
  await applyMigrations({ provider, url });
  return { database, url };
}

export async function dropBenchDatabase(work: Workspace, database: DatabaseLocation): Promise<void> {
  if (database.provider === "postgresql") await dropPostgresDatabase(work.postgresAdminUrl, database.url);
}

/** A fresh database on the server of `adminUrl`, named after the phase; drop it with dropPostgresDatabase. */
export async function createPostgresDatabase(adminUrl: string, phase: string): Promise<string> {
  const name = `bench_${phase}_${process.pid}_${randomBytes(3).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(adminUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
