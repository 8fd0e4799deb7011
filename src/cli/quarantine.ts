import { Command } from "commander";
import os from "node:os";
import { z } from "zod";
import { acceptQuarantined, MESSAGE_ID_RULE, type AcceptOutcome } from "../messages/accept";
import { cursorParameter, limitParameter, queryParameters } from "../messages/paging";
import { findMessage } from "../messages/queries";
import { findQuarantined, findQuarantinedRawBody, listQuarantine } from "../messages/quarantine-queries";
import { quarantineReasons } from "../messages/records";
import { idArgument, parseOptions } from "./arguments";
import { printPage, printRecord } from "./output";
import type { CliContext } from "./program";

const QUARANTINE_COLUMNS = ["id", "receivedAt", "reason", "channel", "messageId", "acceptedAt", "acceptedBy", "messageRowId"];

// The query of GET /v1/quarantine.
const quarantineQuery = queryParameters({ reason: z.enum(quarantineReasons).optional(), limit: limitParameter, cursor: cursorParameter("quarantine") });

/** `quarantine …`: bodies Douane sent that were refused or conflicted, and accepting one by hand. */
export function quarantineCommand(context: CliContext): Command {
  const command = new Command("quarantine").description("bodies Douane sent that were refused (or conflicted with a stored message)");

  command
    .command("list")
    .description("quarantined bodies, newest first")
    .option("--reason <reason>", quarantineReasons.join(" | "))
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
      context.withDatabase(async (db) => {
        const quarantineId = idArgument(value, "quarantined body");
        const outcome = await acceptQuarantined(db, { quarantineId, reason: options.reason, messageId: options.messageId, actor: options.actor, now: new Date() });
        if (outcome.outcome !== "accepted") throw new Error(`refused (${outcome.outcome}): ${explain(quarantineId, outcome)}`);
        const message = (await findMessage(db, outcome.messageRowId))!;
        if (context.output.json) return printRecord(context.output, message);
        const { payload: _payload, headers: _headers, ...summary } = message;
        printRecord(context.output, summary);
        context.output.stdout.write(`\naccepted: quarantined body ${quarantineId} is now message ${message.id}\n`);
      }),
    );
  return command;
}

function explain(id: number, outcome: Exclude<AcceptOutcome, { outcome: "accepted" }>): string {
  switch (outcome.outcome) {
    case "not_found":
      return `no quarantined body with id ${id}`;
    case "already_accepted":
      return `quarantined body ${id} was already accepted${outcome.messageRowId ? ` (message ${outcome.messageRowId})` : ""}`;
    case "body_not_kept":
      return `quarantined body ${id} was too large to be kept: there is nothing to store`;
    case "message_exists":
      return `message ${outcome.messageRowId} already has messageId ${outcome.messageId}: the message Douane sent first is never replaced`;
    case "message_id_required":
      return "the body has no header.messageId: give one with --message-id";
    case "message_id_invalid":
      return `--message-id must be ${MESSAGE_ID_RULE}`;
    case "message_id_mismatch":
      return `the body's header.messageId is ${outcome.bodyMessageId}: leave --message-id out`;
  }
}
