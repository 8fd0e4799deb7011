import os from "node:os";
import { Command } from "commander";
import { BasePathAdmin } from "../basepaths/admin";
import { MoveRefusal } from "../basepaths/rules";
import type { CliContext } from "./context";
import { printRows } from "./output";

const PATH_COLUMNS = ["id", "basePath", "role", "createdAt", "movedAt", "retiredAt", "lastCallAt", "callCount"];

/** `apis …`: URL moves, over the same BasePathAdmin as the internal API. */
export function apisCommand(context: CliContext): Command {
  const command = new Command("apis").description(
    "the base paths Douane calls, and URL moves (the portal applies a new URL within 4 hours)",
  );
  command.option("--actor <name>", "who does this, for the audit log", `cli:${os.userInfo().username}`);
  const run =
    (work: (admin: BasePathAdmin, actor: string, others: (api: string) => Promise<string[]>) => Promise<unknown>) =>
    async () => {
      await context.withDatabase(async (db, config) => {
        const admin = new BasePathAdmin(db, () => new Date(), config.URL_MOVE_WINDOW_MINUTES);
        const others = async (api: string) => {
          const lists = await Promise.all(
            config.apis.filter((other) => other.name !== api).map((other) => admin.list(other.name)),
          );
          return lists
            .flat()
            .filter((path) => path.role === "current" || path.role === "previous")
            .map((path) => path.basePath);
        };
        try {
          const paths = await work(admin, command.opts<{ actor: string }>().actor, others);
          printRows(context.output, paths as Record<string, unknown>[], PATH_COLUMNS);
        } catch (error) {
          if (error instanceof MoveRefusal) throw new Error(`refused (${error.code}): ${error.message}`);
          throw error;
        }
      });
    };
  command
    .command("paths <api>")
    .description("the API's base paths, newest first, with Douane's last call on each")
    .action((api: string) => run((admin) => admin.list(api))());
  command
    .command("move <api> <basePath>")
    .description("declare the new base path entered in the portal: both are served until the old one is retired")
    .option("--reason <text>")
    .action((api: string, basePath: string, options: { reason?: string }) =>
      run(async (admin, actor, others) =>
        admin.move({ api, basePath, actor, reason: options.reason, servedElsewhere: await others(api) }),
      )(),
    );
  command
    .command("retire <api>")
    .description("retire the old base path (after the window and 30 minutes without a call, or with --force)")
    .option("--reason <text>")
    .option("--force", "before the window is over or while Douane still calls it", false)
    .action((api: string, options: { reason?: string; force: boolean }) =>
      run((admin, actor) => admin.retire({ api, actor, ...options }))(),
    );
  command
    .command("cancel-move <api>")
    .description("cancel the move in progress: only the old base path is served again")
    .option("--reason <text>")
    .action((api: string, options: { reason?: string }) =>
      run((admin, actor) => admin.cancel({ api, actor, reason: options.reason }))(),
    );
  return command;
}
