import { Command } from "commander";
import { readConfig } from "../config";
import { applyMigrations } from "../db/migrate";
import { backupSqlite } from "../upkeep/backup";
import { markDone } from "../upkeep/marks";
import { restoreSqlite } from "../upkeep/restore";
import { sqliteFileOf } from "../upkeep/sqlite-file";
import { printRecord } from "./output";
import type { CliContext } from "./program";

/** `db …`: migrations, backups and restores. */
export function dbCommand(context: CliContext, env: NodeJS.ProcessEnv): Command {
  const command = new Command("db").description("database: migrations, backup and restore, retention");
  command
    .command("migrate")
    .description("apply the migrations to DATABASE_URL")
    .action(async () => {
      await applyMigrations(readConfig(env).database);
      context.output.stdout.write("migrations applied\n");
    });
  command
    .command("backup <file>")
    .description("SQLite: a consistent copy of the database into a new file, while the service runs (online backup API). PostgreSQL: refused, see docs/backup-and-retention.md")
    .action(async (file: string) => {
      const source = sqliteFileOf(readConfig(env).database, "db backup");
      const startedAt = new Date();
      const result = await backupSqlite(source, file);
      await context.withDatabase((db) => markDone(db, "backup", new Date(), { ...result, startedAt }));
      printRecord(context.output, { ...result, startedAt, finishedAt: new Date() });
    });
  command
    .command("restore <file>")
    .description("SQLite: put a backup in place of DATABASE_URL's file; refused while the service (or anything else) has the database open")
    .action((file: string) => {
      const target = sqliteFileOf(readConfig(env).database, "db restore");
      printRecord(context.output, restoreSqlite(file, target, new Date()));
    });
  return command;
}
