import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Output } from "./output";

/** What every command receives from the program: its output, its exit code, and a database opened on demand. */
export interface CliContext {
  output: Output;
  /** What the process exits with once the command has run (a command sets it to report a failure it printed). */
  exitCode: number;
  /** What the process exits with when the command fails (`status`: 3, "unknown" to a monitoring plugin). */
  errorExitCode: number;
  withDatabase(work: (db: Db, config: Config) => Promise<void>): Promise<void>;
}
