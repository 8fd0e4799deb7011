// Intake while a purge runs: one quick comparison for docs/backup-and-retention.md, not part of `npm run bench`.
// Per database: ROWS old messages seeded (stored.ts, all older than RETENTION_DAYS=1), the service started, 10 s of
// intake alone, then `cli db purge --yes` started and 10 s of intake beside it. Run after a build of the bench:
// `npx tsc -p bench/tsconfig.json && node dist/bench/purge-intake.js [rows]`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "../src/db/migrate";
import type { DatabaseLocation } from "./acks";
import { drive } from "./intake";
import { seederFor } from "./seed";
import { storedMessages } from "./stored";
import { createPostgresDatabase, dropPostgresDatabase, startService, type Workspace } from "./targets";

const ROWS = Number(process.argv[2] ?? 200_000);
const ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  const work: Workspace = {
    dir: fs.mkdtempSync(path.join(os.tmpdir(), "receiver-purge-intake-")),
    token: "bench-token-0123456789abcdef",
    postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  };
  const only = process.argv[3];
  for (const provider of (["sqlite", "postgresql"] as const).filter((name) => !only || name === only)) {
    const url =
      provider === "sqlite"
        ? `file:${path.join(work.dir, "purge.db")}`
        : await createPostgresDatabase(work.postgresAdminUrl, "purge");
    try {
      await applyMigrations({ provider, url });
      const location: DatabaseLocation = provider === "sqlite" ? { provider, file: url.slice(5) } : { provider, url };
      const seeder = seederFor(location, storedMessages());
      await seeder.seed(ROWS);
      await seeder.close();
      const running = await startService(provider, url, work);
      try {
        const spec = (name: string) => ({
          url: running.url,
          serverPid: running.pid,
          token: work.token,
          mix: "unique",
          seed: 7,
          acksFile: path.join(work.dir, `acks-${provider}-${name}.tsv`),
          seconds: 10,
          warmupSeconds: 2,
          connections: 10,
        });
        const alone = await drive(spec("alone"));
        const purging = purge(url);
        const beside = await drive(spec("purge"));
        const purged = await purging;
        console.log(
          JSON.stringify({ provider, seeded: ROWS, alone: pick(alone), duringPurge: pick(beside), purge: purged }),
        );
      } finally {
        await running.stop();
      }
    } finally {
      if (provider === "postgresql") await dropPostgresDatabase(work.postgresAdminUrl, url);
    }
  }
  fs.rmSync(work.dir, { recursive: true, force: true });
}

const pick = (report: { rps: number; p50: number; p99: number; non2xx: number }) => ({
  rps: Math.round(report.rps),
  p50: +report.p50.toFixed(1),
  p99: +report.p99.toFixed(1),
  non2xx: report.non2xx,
});

function purge(url: string): Promise<{ seconds: number; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, "dist", "src", "cli", "main.js"), "db", "purge", "--yes"], {
    env: { ...process.env, DATABASE_URL: url, RETENTION_DAYS: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve({ seconds: +((performance.now() - started) / 1000).toFixed(1), output: output.trim() })
        : reject(new Error(`purge exited ${code}`)),
    );
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
