import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { environmentWithDotEnv, readConfig } from "../src/config";

const root = path.resolve(__dirname, "..");
const tsx = require.resolve("tsx/cjs");

describe(".env in the working folder", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-dotenv-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("is read under the environment: a variable set in the process wins over the file's", () => {
    fs.writeFileSync(
      path.join(dir, ".env"),
      '# comment\nH7_BASE_PATH=/from-file\nVALIDATION_MODE=flag\nMAX_BODY_BYTES="2048"\n',
    );
    const config = readConfig(environmentWithDotEnv({ VALIDATION_MODE: "reject" }, dir));
    expect(config).toMatchObject({ VALIDATION_MODE: "reject", MAX_BODY_BYTES: 2048 });
    expect(config.apis[0].basePath).toBe("/from-file");
  });

  test("changes nothing when the folder has none", () => {
    const env = { H7_BASE_PATH: "/x" };
    expect(environmentWithDotEnv(env, dir)).toBe(env);
  });

  test("is read by the CLI as a person runs it, from the folder it runs in", () => {
    fs.writeFileSync(path.join(dir, ".env"), "DATABASE_URL=file:./from-dotenv/receiver.db\n");
    const run = spawnSync(process.execPath, ["-r", tsx, path.join(root, "src/cli/main.ts"), "messages", "list"], {
      cwd: dir,
      env: { PATH: process.env.PATH, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 1,
      stderr: `error: no database file at ${path.join(fs.realpathSync(dir), "from-dotenv/receiver.db")}: check DATABASE_URL, or create it with "db migrate"\n`,
    });
  });

  test("is read by the server at start", async () => {
    fs.writeFileSync(
      path.join(dir, ".env"),
      "DATABASE_URL=file:./data/receiver.db\nH7_BASE_PATH=/from-dotenv\nPORT=1\n",
    );
    const child = spawn(process.execPath, ["-r", tsx, path.join(root, "src/main.ts")], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: "0", HOST: "127.0.0.1", CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes("listening for Douane callbacks") && child.exitCode === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const line = JSON.parse(
        output.split("\n").find((candidate) => candidate.includes("listening for Douane callbacks")) ?? "null",
      );
      expect(line).toMatchObject({ apis: ["h7 /from-dotenv"], port: expect.any(Number) });
      expect(line.port).not.toBe(1); // PORT=0 from the process environment won
      expect(fs.existsSync(path.join(dir, "data/receiver.db"))).toBe(true);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }, 60_000);
});
