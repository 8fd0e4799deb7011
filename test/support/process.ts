import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export interface RunningServer {
  child: ChildProcess;
  port: number;
  internalPort: number | null;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs src/main.ts as the real process `npm start` runs (compiled on the fly), and waits until it listens. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningServer> {
  const root = path.resolve(__dirname, "../..");
  const child = spawn(process.execPath, ["-r", "tsx/cjs", "src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      INTERNAL_PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      CHECKPOINT_DISABLE: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line));
    const publicLine = lines.find((line) => line.msg === "listening for Douane callbacks");
    const internalLine = lines.find((line) => line.msg === "internal API listening");
    if (publicLine && (internalLine || !env.INTERNAL_API_TOKEN)) {
      return { child, port: publicLine.port, internalPort: internalLine?.port ?? null, output: () => output, exited };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
