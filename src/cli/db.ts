import { Command } from "commander";
import { readConfig } from "../config";
import { applyMigrations } from "../db/migrate";
import { backupSqlite } from "../upkeep/backup";
import { markDone } from "../upkeep/marks";
import { purge } from "../upkeep/purge";
import { restoreSqlite } from "../upkeep/restore";
import { retentionIsOn, retentionOf } from "../upkeep/run";
import { sqliteFileOf } from "../upkeep/sqlite-file";
import type { CliContext } from "./context";
import { printRecord, printRows } from "./output";

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
    .description(
      "SQLite: a consistent copy of the database into a new file, while the service runs (online backup API). PostgreSQL: refused, see docs/backup-and-retention.md",
    )
    .action(async (file: string) => {
      const source = sqliteFileOf(readConfig(env).database, "db backup");
      const startedAt = new Date();
      const result = await backupSqlite(source, file);
      await context.withDatabase((db) => markDone(db, "backup", new Date(), { ...result, startedAt }));
      printRecord(context.output, { ...result, startedAt, finishedAt: new Date() });
    });
  command
    .command("restore <file>")
    .description(
      "SQLite: put a backup in place of DATABASE_URL's file; refused while the service (or anything else) has the database open",
    )
    .action((file: string) => {
      const target = sqliteFileOf(readConfig(env).database, "db restore");
      printRecord(context.output, restoreSqlite(file, target, new Date()));
    });
  command
    .command("purge")
    .description(
      "remove what retention lets go (RETENTION_DAYS, H7_RETENTION_DAYS), oldest first in small batches; with ARCHIVE_DIR, only messages in a verified archive",
    )
    .option("--dry-run", "count what would be removed, remove nothing", false)
    .option("--yes", "remove", false)
    .option("--simulated", "instead: every row the simulator sent (X-Simulated: true), whatever its age", false)
    .action((options: { dryRun: boolean; yes: boolean; simulated: boolean }) =>
      context.withDatabase(async (db, config) => {
        if (options.dryRun === options.yes) throw new Error("choose --dry-run (count only) or --yes (remove)");
        const retention = retentionOf(config);
        if (!options.simulated && !retentionIsOn(retention)) {
          context.output.stdout.write(
            "retention is off (RETENTION_DAYS and H7_RETENTION_DAYS unset): nothing is purged\n",
          );
          return;
        }
        if (!options.simulated && !config.ARCHIVE_DIR)
          context.output.stdout.write("note: ARCHIVE_DIR is not set: messages go without an archive\n");
        const report = await purge(db, {
          now: new Date(),
          retention,
          archiveDir: config.ARCHIVE_DIR,
          simulatedOnly: options.simulated,
          dryRun: options.dryRun,
        });
        const rows = report.tables.map(({ removed, ...line }) => ({
          ...line,
          [options.dryRun ? "wouldRemove" : "removed"]: removed,
        }));
        printRows(context.output, rows, [
          "table",
          "api",
          "before",
          options.dryRun ? "wouldRemove" : "removed",
          "keptNotArchived",
          "keptPendingDelivery",
        ]);
        for (const problem of report.damagedArchives)
          context.output.stdout.write(`warning: damaged archive, its messages were kept: ${problem}\n`);
        if (report.damagedArchives.length > 0) context.exitCode = 1;
      }),
    );
  return command;
}
