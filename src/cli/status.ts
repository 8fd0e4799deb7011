import { Command } from "commander";
import { apisOf } from "../douane/apis";
import { TokenAdmin } from "../tokens/admin";
import { configuredTokensOf } from "../tokens/configured";
import { isUsable } from "../tokens/status";
import { printRows } from "./output";
import type { CliContext } from "./context";

/** `status`: per Douane API, the customs portal's traffic light from this side, and what to look at. */
export function statusCommand(context: CliContext): Command {
  return new Command("status")
    .description("per API: base path, token header, status (green | yellow | red) with its warnings, last callback, quarantine awaiting a decision")
    .action(() =>
      context.withDatabase(async (db, config) => {
        const admin = new TokenAdmin(db, () => new Date(), config.TOKEN_ROTATION_WINDOW_MINUTES, undefined, configuredTokensOf(config));
        const items = await Promise.all(apisOf(config.apis).map(async (api) => {
          const health = await admin.health(api.name);
          const last = await db.message.findFirst({ where: { api: api.name }, orderBy: { id: "desc" }, select: { receivedAt: true } });
          const quarantined = await db.quarantinedBody.count({ where: { api: api.name, acceptedAt: null } });
          return {
            api: api.name,
            basePath: api.basePath,
            authHeader: api.authHeader,
            status: health.status,
            usableTokens: health.tokens.filter((token) => isUsable(token, new Date())).length,
            lastCallbackAt: last?.receivedAt ?? null,
            quarantinedNotAccepted: quarantined,
            warnings: health.warnings,
          };
        }));
        if (context.output.json) {
          context.output.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
          return;
        }
        printRows(context.output, items, ["api", "basePath", "authHeader", "status", "usableTokens", "lastCallbackAt", "quarantinedNotAccepted"]);
        for (const item of items) {
          for (const warning of item.warnings) context.output.stdout.write(`warning: ${item.api}: token ${warning.fingerprint}: ${warning.message}\n`);
          if (item.usableTokens === 0) context.output.stdout.write(`${item.api}: no usable token, every callback gets 401: run tokens rotate and enter the token in the customs portal (the <API>_TOKEN variable only seeds an empty store)\n`);
        }
      }),
    );
}
