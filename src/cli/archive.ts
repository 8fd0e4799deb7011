import path from "node:path";
import { Command } from "commander";
import { archiveMessages } from "../upkeep/archive";
import { ArchiveDamaged, readManifest, verifyArchive } from "../upkeep/archive-file";
import { importArchive } from "../upkeep/archive-import";
import type { CliContext } from "./context";
import { printRecord, printRows } from "./output";

/** `archive …`: the daily message archives in ARCHIVE_DIR. */
export function archiveCommand(context: CliContext): Command {
  const command = new Command("archive").description("the daily compressed message archives in ARCHIVE_DIR");
  command
    .command("run")
    .description("archive every finished day not archived yet (the service does it every UPKEEP_INTERVAL_MINUTES)")
    .action(() =>
      context.withDatabase(async (db, config) => {
        if (!config.ARCHIVE_DIR) throw new Error("ARCHIVE_DIR is not set");
        const run = await archiveMessages(db, config.ARCHIVE_DIR, new Date());
        printRows(context.output, run.parts, ["day", "part", "file", "messages"]);
        if (!context.output.json) context.output.stdout.write(`archived through ${run.throughDay}\n`);
      }),
    );
  command
    .command("verify [file]")
    .description(
      "check archive files: every one the database recorded, or one file against its manifest (SHA-256, count, every body)",
    )
    .action((file: string | undefined) =>
      context.withDatabase(async (db, config) => {
        const targets = file
          ? [{ file, expected: () => readManifest(file) }]
          : (await db.archivePart.findMany({ orderBy: [{ day: "asc" }, { part: "asc" }] })).map((part) => ({
              file: path.join(config.ARCHIVE_DIR ?? ".", part.file),
              expected: () => part,
            }));
        const rows = [];
        for (const target of targets) {
          try {
            const bodies = await verifyArchive(target.file, target.expected());
            rows.push({ file: target.file, messages: bodies.size, status: "ok", problem: null });
          } catch (error) {
            if (!(error instanceof ArchiveDamaged)) throw error;
            rows.push({ file: target.file, messages: null, status: "damaged", problem: error.message });
            context.exitCode = 1;
          }
        }
        printRows(context.output, rows, ["file", "messages", "status", "problem"]);
      }),
    );
  command
    .command("import <file>")
    .description(
      "restore an archive file's messages into DATABASE_URL; a message already there (same api and messageId) is left alone",
    )
    .action((file: string) =>
      context.withDatabase(async (db) => {
        const report = await importArchive(db, file);
        printRecord(context.output, { ...report, conflicts: report.conflicts.length });
        for (const conflict of report.conflicts)
          context.output.stdout.write(
            `conflict: ${conflict.api} ${conflict.messageId}: another body is stored, left as it is\n`,
          );
      }),
    );
  return command;
}
