import os from "node:os";
import { Command } from "commander";
import { expectationQuery } from "../outbound/expectation-routes";
import { listExpectations, recordRepresented } from "../outbound/expectations";
import { idArgument, optionFlag, parseOptions } from "./arguments";
import type { CliContext } from "./context";
import { printPage } from "./output";

const EXPECTATION_COLUMNS = [
  "id",
  "status",
  "api",
  "lrn",
  "operatorRequestReference",
  "sentAt",
  "dueAt",
  "closedAt",
  "closedByMessageId",
  "representedBy",
];

/** `expectations …`: the Douane returns we wait for, the overdue ones, and re-presenting by hand. */
export function expectationsCommand(context: CliContext): Command {
  const command = new Command("expectations").description(
    "returns expected from Douane for what was sent; overdue ones never came",
  );

  const list = command
    .command("list")
    .description("expected returns, newest first, with the filters of GET /v1/expectations");
  for (const [name, schema] of Object.entries(expectationQuery.shape)) {
    list.option(`${optionFlag(name)} <value>`, schema.description ?? `only expectations whose ${name} is this`);
  }
  list.action((options: Record<string, string | undefined>) =>
    context.withDatabase(async (db) => {
      const { limit, cursor, ...filters } = parseOptions(expectationQuery, options);
      printPage(
        context.output,
        await listExpectations(db, filters, { limit, cursor }, new Date()),
        EXPECTATION_COLUMNS,
      );
    }),
  );

  command
    .command("represented <id>")
    .description("record that a person presented the message to Douane again (once per expectation)")
    .requiredOption("--reason <text>", "why, e.g. Douane's notice of the incident")
    .option("--actor <name>", "who did it", `cli:${os.userInfo().username}`)
    .action((value: string, options: { reason: string; actor: string }) =>
      context.withDatabase(async (db) => {
        const id = idArgument(value, "expectation");
        const outcome = await recordRepresented(db, id, {
          actor: options.actor,
          reason: options.reason,
          now: new Date(),
        });
        if (outcome.outcome === "not_found") throw new Error(`no expectation with id ${id}`);
        if (outcome.outcome === "already_represented")
          throw new Error(`expectation ${id} was already re-presented by ${outcome.by}`);
        if (outcome.outcome === "closed")
          throw new Error(`expectation ${id} got its return: there is nothing to present again`);
        context.output.stdout.write(`expectation ${id}: re-presenting recorded\n`);
      }),
    );
  return command;
}
