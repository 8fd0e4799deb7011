import { Command } from "commander";
import { apisOf } from "../intake/apis";
import { overdueCounts } from "../outbound/expectations";
import { TokenAdmin } from "../tokens/admin";
import { printRows } from "./output";
import type { CliContext } from "./program";

/** `status`: per Douane API, the customs portal's traffic light from this side, and what to look at. */
export function statusCommand(context: CliContext): Command {
  return new Command("status")
    .description("per API: base path, token header, status (green | yellow | red) with its warnings, last callback, quarantine awaiting a decision")
    .action(() =>
      context.withDatabase(async (db, config) => {
        const admin = new TokenAdmin(db, () => new Date(), config.TOKEN_ROTATION_WINDOW_MINUTES);
        const overdue = await overdueCounts(db, new Date());
        const items = await Promise.all(apisOf(config).map(async (api) => {
          const health = await admin.health(api.name);
          const overdueExpectations = overdue.get(api.name) ?? 0;
          const last = await db.message.findFirst({ where: { api: api.name }, orderBy: { id: "desc" }, select: { receivedAt: true } });
          const quarantined = await db.quarantinedBody.count({ where: { api: api.name, acceptedAt: null } });
          return {
            api: api.name,
            basePath: api.basePath,
            authHeader: api.authHeader,
            // Returns that never came are the operator's to look at, like the portal's yellow.
            status: health.status === "green" && overdueExpectations > 0 ? "yellow" : health.status,
            usableTokens: health.tokens.filter((token) => ["active", "pending", "retiring"].includes(token.status) && !(token.expiresAt && token.expiresAt <= new Date())).length,
            lastCallbackAt: last?.receivedAt ?? null,
            quarantinedNotAccepted: quarantined,
            overdueExpectations,
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
          if (item.overdueExpectations > 0) context.output.stdout.write(`${item.api}: ${item.overdueExpectations} expected Douane returns are overdue: run expectations list --status overdue\n`);
          if (item.status === "red") context.output.stdout.write(`${item.api}: no usable token, every callback gets 401: run tokens rotate and enter the token in the customs portal (H7_TOKEN only seeds an empty store)\n`);
        }
      }),
    );
}
