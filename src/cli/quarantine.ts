import os from "node:os";
import { Command } from "commander";
import { viewOf } from "../delivery/destinations";
import { storedHooks } from "../delivery/enqueue";
import { findMessage } from "../messages/queries";
import { quarantineReasons } from "../messages/records";
import { acceptQuarantined } from "../quarantine/accept";
import { explainRefusal } from "../quarantine/outcomes";
import { findQuarantined, findQuarantinedRawBody, listQuarantine, quarantineStates } from "../quarantine/queries";
import { quarantineQuery } from "../quarantine/routes";
import { dismissQuarantined } from "../quarantine/store";
import { idArgument, parseOptions } from "./arguments";
import type { CliContext } from "./context";
import { printPage, printRecord } from "./output";

const QUARANTINE_COLUMNS = [
  "id",
  "receivedAt",
  "reason",
  "channel",
  "messageId",
  "acceptedAt",
  "acceptedBy",
  "messageRowId",
];

/** `quarantine …`: bodies Douane sent that were refused or conflicted, and accepting one by hand. */
export function quarantineCommand(context: CliContext): Command {
  const command = new Command("quarantine").description(
    "bodies Douane sent that were refused (or conflicted with a stored message)",
  );

  command
    .command("list")
    .description("quarantined bodies, newest first")
    .option("--reason <reason>", quarantineReasons.join(" | "))
    .option("--state <state>", `${quarantineStates.join(" | ")} (open: waiting for a decision)`)
    .option("--limit <n>", "page size, 1 to 500 (default 50)")
    .option("--cursor <cursor>", "nextCursor of the previous page")
    .action((options: Record<string, string | undefined>) =>
      context.withDatabase(async (db) => {
        const { limit, cursor, ...filters } = parseOptions(quarantineQuery, options);
        printPage(context.output, await listQuarantine(db, filters, { limit, cursor }), QUARANTINE_COLUMNS);
      }),
    );

  command
    .command("show <id>")
    .description("why a body was refused, and whether it was accepted since")
    .option("--raw", "print the exact bytes Douane sent instead", false)
    .action((value: string, options: { raw: boolean }) =>
      context.withDatabase(async (db) => {
        const id = idArgument(value, "quarantined body");
        if (options.raw) {
          const row = await findQuarantinedRawBody(db, id);
          if (!row) throw new Error(`no quarantined body with id ${id}`);
          context.output.stdout.write(Buffer.from(row.rawBody));
          return;
        }
        const row = await findQuarantined(db, id);
        if (!row) throw new Error(`no quarantined body with id ${id}`);
        printRecord(context.output, row);
      }),
    );

  command
    .command("accept <id>")
    .description("store a quarantined body as a message accepted by hand (never replacing a stored one)")
    .requiredOption("--reason <text>", "why it is stored anyway: kept on the message")
    .option("--message-id <id>", "only for a body without its own header.messageId")
    .option("--actor <name>", "who accepts it, recorded on the message", `cli:${os.userInfo().username}`)
    .action((value: string, options: { reason: string; messageId?: string; actor: string }) =>
      context.withDatabase(async (db, config) => {
        const quarantineId = idArgument(value, "quarantined body");
        const destinations = (await db.destination.findMany()).map(viewOf);
        const hooks = storedHooks(
          config.database.provider,
          () => destinations,
          () => new Date(),
        );
        const outcome = await acceptQuarantined(
          db,
          { quarantineId, reason: options.reason, messageId: options.messageId, actor: options.actor, now: new Date() },
          hooks.accept,
        );
        if (outcome.outcome !== "accepted")
          throw new Error(
            `refused (${outcome.outcome}): ${explainRefusal(quarantineId, outcome, "--message-id").message}`,
          );
        const message = (await findMessage(db, outcome.messageRowId))!;
        if (context.output.json) return printRecord(context.output, message);
        const { payload: _payload, headers: _headers, ...summary } = message;
        printRecord(context.output, summary);
        context.output.stdout.write(`\naccepted: quarantined body ${quarantineId} is now message ${message.id}\n`);
      }),
    );
  command
    .command("dismiss <id>")
    .description("close a quarantined body without storing it (who, when and why are recorded on it)")
    .requiredOption("--reason <text>", "why this body needs no message")
    .option("--actor <name>", "who dismisses it", `cli:${os.userInfo().username}`)
    .action((value: string, options: { reason: string; actor: string }) =>
      context.withDatabase(async (db) => {
        const quarantineId = idArgument(value, "quarantined body");
        const reason = options.reason.trim();
        if (!reason) throw new Error("--reason: must not be empty");
        const outcome = await dismissQuarantined(db, { quarantineId, reason, actor: options.actor, now: new Date() });
        if (outcome.outcome !== "dismissed")
          throw new Error(`refused (${outcome.outcome}): ${explainRefusal(quarantineId, outcome).message}`);
        const row = (await findQuarantined(db, quarantineId))!;
        printRecord(context.output, row);
        if (!context.output.json) context.output.stdout.write(`\ndismissed: quarantined body ${quarantineId}\n`);
      }),
    );
  return command;
}
