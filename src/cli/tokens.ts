import os from "node:os";
import { Command } from "commander";
import { TokenAdmin } from "../tokens/admin";
import { configuredTokensOf } from "../tokens/configured";
import { LifecycleRefusal, type OldToken } from "../tokens/lifecycle";
import { extendBody, tokenEventQuery } from "../tokens/routes";
import { idArgument, parseOptions } from "./arguments";
import type { CliContext } from "./context";
import { printPage, printRecord, printRows } from "./output";

const TOKEN_COLUMNS = [
  "id",
  "fingerprint",
  "status",
  "source",
  "createdAt",
  "activatedAt",
  "expiresAt",
  "lastSeenAt",
  "useCount",
];

/** `tokens …`: the same TokenAdmin as the internal API, on the configured database. */
export function tokensCommand(context: CliContext): Command {
  const command = new Command("tokens").description("list and change the tokens Douane may present (rotation)");
  command
    .option("--api <name>", "the Douane API", "h7")
    .option("--actor <name>", "who does this, for the audit log", `cli:${os.userInfo().username}`);
  const run = (work: (admin: TokenAdmin, api: string, actor: string) => Promise<void>) => async () => {
    const { api, actor } = command.opts<{ api: string; actor: string }>();
    await context.withDatabase(async (db, config) => {
      try {
        await work(
          new TokenAdmin(
            db,
            () => new Date(),
            config.TOKEN_ROTATION_WINDOW_MINUTES,
            undefined,
            configuredTokensOf(config),
          ),
          api,
          actor,
        );
      } catch (error) {
        if (error instanceof LifecycleRefusal) throw new Error(`refused (${error.code}): ${error.message}`);
        throw error;
      }
    });
  };
  const id = (value: string) => idArgument(value, "token");
  /** A lifecycle answer, then (for people) until when the token being replaced is still accepted. */
  const printChange = (answer: Record<string, unknown> & { oldToken: OldToken | null }) => {
    if (context.output.json) return printRecord(context.output, answer);
    const { oldToken, ...record } = answer;
    printRecord(context.output, record);
    context.output.stdout.write(
      oldToken
        ? `\nold token ${oldToken.fingerprint}: ${oldToken.meaning}\n`
        : "\nno old token: nothing else is accepted\n",
    );
  };

  command
    .command("list")
    .description("the API's tokens, newest first, and its warnings")
    .action(
      run(async (admin, api) => {
        printRows(context.output, await admin.list(api), TOKEN_COLUMNS);
        const { status, warnings } = await admin.health(api);
        if (!context.output.json)
          context.output.stdout.write(
            `\nstatus: ${status}\n${warnings.map((w) => `warning: token ${w.fingerprint}: ${w.message}\n`).join("")}`,
          );
      }),
    );
  command
    .command("rotate")
    .description("create a pending token; its value is printed this once")
    .option("--reason <text>")
    .action((options: { reason?: string }) =>
      run(async (admin, api, actor) => {
        const created = await admin.rotate({ api, actor, reason: options.reason });
        printChange(created);
        if (!context.output.json) {
          context.output.stdout.write(
            "\nEnter this token in the customs portal now; it is shown only this once.\n" +
              "Douane's first callback with it switches to it by itself: nothing else to do (tokens list shows the switch).\n",
          );
        }
      })(),
    );
  command
    .command("activate <id>")
    .description(
      "switch to a pending token by hand: it becomes active, the active one retires (one Douane never presented needs --force)",
    )
    .option("--reason <text>")
    .option("--force", "even a token Douane never presented (it may not be in the portal yet)", false)
    .action((tokenId: string, options: { reason?: string; force: boolean }) =>
      run(async (admin, api, actor) => {
        printChange(
          await admin.activate({ api, actor, tokenId: id(tokenId), reason: options.reason, force: options.force }),
        );
      })(),
    );
  command
    .command("extend <id>")
    .description("accept a retiring (or expired) token longer: Douane still presents it")
    .requiredOption("--minutes <n>", "how many minutes more")
    .option("--reason <text>")
    .action((tokenId: string, options: { minutes: string; reason?: string }) =>
      run(async (admin, api, actor) => {
        const { minutes, reason } = parseOptions(extendBody, {
          minutes: Number(options.minutes),
          reason: options.reason,
        });
        printChange(await admin.extend({ api, actor, tokenId: id(tokenId), minutes, reason }));
      })(),
    );
  command
    .command("revoke <id>")
    .description("refuse a token at once (leaked)")
    .option("--reason <text>")
    .option("--force", "even the last usable token", false)
    .action((tokenId: string, options: { reason?: string; force: boolean }) =>
      run(async (admin, api, actor) => {
        printChange(
          await admin.revoke({ api, actor, tokenId: id(tokenId), reason: options.reason, force: options.force }),
        );
      })(),
    );
  command
    .command("cancel <id>")
    .description("drop a pending token Douane never used")
    .option("--reason <text>")
    .action((tokenId: string, options: { reason?: string }) =>
      run(async (admin, api, actor) => {
        printChange(await admin.cancel({ api, actor, tokenId: id(tokenId), reason: options.reason }));
      })(),
    );
  command
    .command("events")
    .description("the audit log, newest first")
    .option("--limit <n>", "page size, 1 to 500 (default 50)")
    .option("--cursor <cursor>", "nextCursor of the previous page")
    .action((options: Record<string, string | undefined>) =>
      run(async (admin, api) => {
        const page = await admin.events(api, parseOptions(tokenEventQuery, options));
        printPage(context.output, page, ["id", "at", "event", "tokenId", "actor", "reason"]);
      })(),
    );
  return command;
}
