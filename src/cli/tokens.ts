import { Command } from "commander";
import os from "node:os";
import { TokenAdmin } from "../tokens/admin";
import { LifecycleRefusal } from "../tokens/lifecycle";
import { idArgument } from "./arguments";
import { printRecord, printRows } from "./output";
import type { CliContext } from "./context";

const TOKEN_COLUMNS = ["id", "fingerprint", "status", "source", "createdAt", "activatedAt", "expiresAt", "lastSeenAt", "useCount"];

/** `tokens …`: the same TokenAdmin as the internal API, on the configured database. */
export function tokensCommand(context: CliContext): Command {
  const command = new Command("tokens").description("list and change the tokens Douane may present (rotation)");
  command.option("--api <name>", "the Douane API", "h7").option("--actor <name>", "who does this, for the audit log", `cli:${os.userInfo().username}`);
  const run = (work: (admin: TokenAdmin, api: string, actor: string) => Promise<void>) => async () => {
    const { api, actor } = command.opts<{ api: string; actor: string }>();
    await context.withDatabase(async (db, config) => {
      try {
        await work(new TokenAdmin(db, () => new Date(), config.TOKEN_ROTATION_WINDOW_MINUTES), api, actor);
      } catch (error) {
        if (error instanceof LifecycleRefusal) throw new Error(`refused (${error.code}): ${error.message}`);
        throw error;
      }
    });
  };
  const id = (value: string) => idArgument(value, "token");

  command.command("list").description("the API's tokens, newest first, and its warnings").action(
    run(async (admin, api) => {
      printRows(context.output, await admin.list(api), TOKEN_COLUMNS);
      const { status, warnings } = await admin.health(api);
      if (!context.output.json) context.output.stdout.write(`\nstatus: ${status}\n${warnings.map((w) => `warning: token ${w.fingerprint}: ${w.message}\n`).join("")}`);
    }),
  );
  command.command("rotate").description("create a pending token; its value is printed this once").option("--reason <text>").action(
    (options: { reason?: string }) => run(async (admin, api, actor) => {
      const created = await admin.rotate({ api, actor, reason: options.reason });
      printRecord(context.output, created);
      if (!context.output.json) {
        context.output.stdout.write("\nEnter this token in the customs portal now; it is shown only this once.\n" +
          `Then confirm with: tokens activate ${created.id} (or let Douane's first call with it switch automatically).\n`);
      }
    })(),
  );
  command.command("activate <id>").description("confirm the portal holds the pending token: it becomes active, the active one retires").option("--reason <text>").action(
    (tokenId: string, options: { reason?: string }) => run(async (admin, api, actor) => {
      printRecord(context.output, await admin.activate({ api, actor, tokenId: id(tokenId), reason: options.reason }));
    })(),
  );
  command.command("revoke <id>").description("refuse a token at once (leaked)").option("--reason <text>").option("--force", "even the last usable token", false).action(
    (tokenId: string, options: { reason?: string; force: boolean }) => run(async (admin, api, actor) => {
      printRecord(context.output, await admin.revoke({ api, actor, tokenId: id(tokenId), reason: options.reason, force: options.force }));
    })(),
  );
  command.command("cancel <id>").description("drop a pending token Douane never used").option("--reason <text>").action(
    (tokenId: string, options: { reason?: string }) => run(async (admin, api, actor) => {
      printRecord(context.output, await admin.cancel({ api, actor, tokenId: id(tokenId), reason: options.reason }));
    })(),
  );
  command.command("events").description("the audit log, newest first").option("--limit <n>", "how many", "50").action(
    (options: { limit: string }) => run(async (admin, api) => {
      const { items } = await admin.events(api, { limit: Number(options.limit) });
      printRows(context.output, items, ["id", "at", "event", "tokenId", "actor", "reason"]);
    })(),
  );
  return command;
}
