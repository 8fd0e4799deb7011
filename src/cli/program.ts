import type { Writable } from "node:stream";
import { Command, CommanderError } from "commander";
import { readConfig } from "../config";
import { openDatabase } from "../db/client";
import { describeDatabaseError, isSqliteBusy, requireExistingSqliteFile } from "../db/errors";
import { apisCommand } from "./apis";
import { archiveCommand } from "./archive";
import type { CliContext } from "./context";
import { dbCommand } from "./db";
import { destinationsCommand } from "./destinations";
import { expectationsCommand } from "./expectations";
import { messagesCommand } from "./messages";
import type { Output } from "./output";
import { quarantineCommand } from "./quarantine";
import { sandboxCommand } from "./sandbox";
import { simulateCommand } from "./simulate";
import { statusCommand } from "./status";
import { tokensCommand } from "./tokens";

/** Runs one CLI invocation; returns the exit code. In-process, so tests drive it like a person would. */
export async function runCli(
  argv: string[],
  io: { env?: NodeJS.ProcessEnv; stdout?: Writable; stderr?: Writable } = {},
): Promise<number> {
  const { env = process.env, stdout = process.stdout, stderr = process.stderr } = io;
  const output: Output = { json: false, stdout };
  const context: CliContext = {
    output,
    exitCode: 0,
    errorExitCode: 1,
    async withDatabase(work) {
      const config = readConfig(env);
      requireExistingSqliteFile(config.database);
      try {
        const db = await openDatabase(config.database);
        try {
          await work(db, config);
        } finally {
          await db.$disconnect();
        }
      } catch (error) {
        if (isSqliteBusy(error)) {
          throw new Error(
            `the database is locked by another process (the running service?) and stayed locked for more than SQLITE_BUSY_TIMEOUT_MS (${config.SQLITE_BUSY_TIMEOUT_MS} ms): nothing was changed; try again, or raise SQLITE_BUSY_TIMEOUT_MS for this command`,
          );
        }
        const described = describeDatabaseError(error, config.database);
        throw described ? new Error(described) : error;
      }
    },
  };
  const program = new Command("douane-callback-receiver")
    .description(
      "operate the Douane callback receiver: messages, quarantine, status, tokens, destinations, expectations, URL moves, database (backup, retention), archives, and a Douane simulator",
    )
    .option("--json", "machine-readable output", false)
    .exitOverride()
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) })
    .hook("preAction", () => {
      output.json = program.opts<{ json: boolean }>().json;
    });
  program.addCommand(statusCommand(context));
  program.addCommand(messagesCommand(context));
  program.addCommand(quarantineCommand(context));
  program.addCommand(tokensCommand(context));
  program.addCommand(destinationsCommand(context));
  program.addCommand(expectationsCommand(context));
  program.addCommand(apisCommand(context));
  program.addCommand(dbCommand(context, env));
  program.addCommand(archiveCommand(context));
  program.addCommand(simulateCommand(context, env, stderr));
  program.addCommand(sandboxCommand(context, env));
  const inherit = (command: Command): void => {
    for (const child of command.commands) {
      child.exitOverride().configureOutput(program.configureOutput());
      inherit(child);
    }
  };
  inherit(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    stderr.write(`error: ${(error as Error).message}\n`);
    return context.errorExitCode;
  }
}
