import { Command } from "commander";
import { DestinationAdmin, destinationChange, destinationInput } from "../delivery/destinations";
import { idArgument, parseOptions } from "./arguments";
import type { CliContext } from "./context";
import { printRecord, printRows } from "./output";

const COLUMNS = ["id", "url", "enabled", "filter", "description", "failingSince", "previousSecretExpiresAt"];

interface FilterOptions {
  api?: string;
  channel?: string[];
}
const filterOf = (options: FilterOptions) => ({
  ...(options.api ? { api: options.api } : {}),
  ...(options.channel ? { channels: options.channel } : {}),
});
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `destinations …`: the same DestinationAdmin as the internal API, on the configured database. Replicas see a
 *  change within a few seconds (they reread the destinations periodically). */
export function destinationsCommand(context: CliContext): Command {
  const command = new Command("destinations").description("where stored messages are delivered (signed webhooks)");
  const run = (work: (admin: DestinationAdmin) => Promise<void>) =>
    context.withDatabase((db) => work(new DestinationAdmin(db, () => new Date())));
  const id = (value: string) => idArgument(value, "destination");
  const shown = <T>(value: string, row: T | null): T => {
    if (row === null) throw new Error(`no destination with id ${value}`);
    return row;
  };

  command
    .command("list")
    .description("every destination (never a secret)")
    .action(() => run(async (admin) => printRows(context.output, await admin.list(), COLUMNS)));
  command
    .command("add <url>")
    .description("add a destination; its signing secret is printed this once")
    .option("--description <text>")
    .option("--api <name>", "only this API's messages")
    .option("--channel <name>", "only this channel (repeatable)", collect)
    .action((url: string, options: FilterOptions & { description?: string }) =>
      run(async (admin) => {
        const input = parseOptions(destinationInput, {
          url,
          description: options.description,
          filter: filterOf(options),
        });
        printRecord(context.output, await admin.create(input));
        if (!context.output.json) context.output.stdout.write("\nKeep the secret now: it is shown only this once.\n");
      }),
    );
  command
    .command("update <id>")
    .description("change a destination")
    .option("--url <url>")
    .option("--description <text>")
    .option("--api <name>", "only this API's messages (replaces the filter)")
    .option("--channel <name>", "only this channel (repeatable; replaces the filter)", collect)
    .option("--enable")
    .option("--disable")
    .action(
      (
        value: string,
        options: FilterOptions & { url?: string; description?: string; enable?: boolean; disable?: boolean },
      ) =>
        run(async (admin) => {
          const filter = options.api || options.channel ? filterOf(options) : undefined;
          const enabled = options.enable ? true : options.disable ? false : undefined;
          const change = parseOptions(destinationChange, {
            url: options.url,
            description: options.description,
            filter,
            enabled,
          });
          printRecord(context.output, shown(value, await admin.update(id(value), change)));
        }),
    );
  command
    .command("rotate-secret <id>")
    .description("a new secret, printed this once; the old one also signs for 24 hours")
    .action((value: string) =>
      run(async (admin) => printRecord(context.output, shown(value, await admin.rotateSecret(id(value))))),
    );
  command
    .command("remove <id>")
    .description("remove a destination with its deliveries")
    .action((value: string) =>
      run(async (admin) => {
        if (!(await admin.remove(id(value)))) throw new Error(`no destination with id ${value}`);
        context.output.stdout.write(`destination ${value} removed\n`);
      }),
    );
  return command;
}
