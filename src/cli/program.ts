import type { Writable } from "node:stream";
import { Command, CommanderError } from "commander";
import { readConfig, type Config } from "../config";
import { openDatabase, type Db } from "../db/client";
import { applyMigrations } from "../db/migrate";
import type { Output } from "./output";
import { tokensCommand } from "./tokens";

export interface CliContext {
  output: Output;
  withDatabase(work: (db: Db, config: Config) => Promise<void>): Promise<void>;
}

/** Runs one CLI invocation; returns the exit code. In-process, so tests drive it like a person would. */
export async function runCli(argv: string[], io: { env?: NodeJS.ProcessEnv; stdout?: Writable; stderr?: Writable } = {}): Promise<number> {
  const { env = process.env, stdout = process.stdout, stderr = process.stderr } = io;
  const output: Output = { json: false, stdout };
  const context: CliContext = {
    output,
    async withDatabase(work) {
      const config = readConfig(env);
      const db = await openDatabase(config.database);
      try {
        await work(db, config);
      } finally {
        await db.$disconnect();
      }
    },
  };
  const program = new Command("douane-callback-receiver")
    .description("operate the Douane callback receiver: tokens, database")
    .option("--json", "machine-readable output", false)
    .exitOverride()
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) })
    .hook("preAction", () => {
      output.json = program.opts<{ json: boolean }>().json;
    });
  program.addCommand(tokensCommand(context));
  program
    .command("db")
    .description("database")
    .addCommand(new Command("migrate").description("apply the migrations to DATABASE_URL").action(async () => {
      await applyMigrations(readConfig(env).database);
      stdout.write("migrations applied\n");
    }));
  const inherit = (command: Command): void => {
    for (const child of command.commands) {
      child.exitOverride().configureOutput(program.configureOutput());
      inherit(child);
    }
  };
  inherit(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
