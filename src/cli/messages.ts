import { Command } from "commander";
import { stringifyExact } from "../douane/numbers";
import { findMessage, findRawBody, listMessages } from "../messages/queries";
import { messageQuery } from "../messages/routes";
import { idArgument, optionFlag, parseOptions } from "./arguments";
import type { CliContext } from "./context";
import { printPage, printRecord } from "./output";

const MESSAGE_COLUMNS = [
  "id",
  "receivedAt",
  "channel",
  "messageId",
  "lrn",
  "mrn",
  "customsDeclarationReference",
  "state",
  "validation",
];

/** `messages …`: what Douane sent, read with the same queries as GET /v1/messages. */
export function messagesCommand(context: CliContext): Command {
  const command = new Command("messages").description("the messages Douane sent, as stored");

  const list = command
    .command("list")
    .description("stored messages, newest first, with the filters of GET /v1/messages (combined with AND)");
  // The options are the API's query parameters, so the two can never drift apart.
  for (const [name, schema] of Object.entries(messageQuery.shape)) {
    list.option(`${optionFlag(name)} <value>`, schema.description ?? `only messages whose ${name} is this`);
  }
  list.action((options: Record<string, string | undefined>) =>
    context.withDatabase(async (db) => {
      const { limit, cursor, ...filters } = parseOptions(messageQuery, options);
      printPage(context.output, await listMessages(db, filters, { limit, cursor }), MESSAGE_COLUMNS);
    }),
  );

  command
    .command("show <id>")
    .description("one message: metadata, extracted keys, validation findings, then the payload")
    .option("--raw", "print the exact bytes Douane sent instead", false)
    .action((value: string, options: { raw: boolean }) =>
      context.withDatabase(async (db) => {
        const id = idArgument(value, "message");
        if (options.raw) {
          const row = await findRawBody(db, id);
          if (!row) throw new Error(`no message with id ${id}`);
          context.output.stdout.write(Buffer.from(row.rawBody));
          return;
        }
        const message = await findMessage(db, id);
        if (!message) throw new Error(`no message with id ${id}`);
        if (context.output.json) return printRecord(context.output, message);
        const { payload, ...metadata } = message;
        printRecord(context.output, metadata);
        context.output.stdout.write(`\npayload:\n${stringifyExact(payload, 2)}\n`);
      }),
    );
  return command;
}
