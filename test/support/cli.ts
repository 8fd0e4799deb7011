import { Writable } from "node:stream";
import { runCli } from "../../src/cli/program";

/** Runs the CLI in-process against `env`; returns its exit code and what it printed. */
export async function cli(env: Record<string, string>, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void) =>
    new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runCli(argv, {
    env: { ...env, LOG_LEVEL: "silent" },
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
  });
  return { code, stdout, stderr };
}
