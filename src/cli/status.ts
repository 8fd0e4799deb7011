import { Command } from "commander";
import { apisOf } from "../intake/apis";
import { TokenAdmin } from "../tokens/admin";
import { upkeepState } from "../upkeep/state";
import { printRecord, printRows } from "./output";
import type { CliContext } from "./program";

/** `status`: per Douane API, the customs portal's traffic light from this side, and what to look at. */
export function statusCommand(context: CliContext): Command {
  return new Command("status")
    .description("per API: base path, token header, status (green | yellow | red) with its warnings, last callback, quarantine awaiting a decision; then backups, archives and retention")
    .action(() =>
      context.withDatabase(async (db, config) => {
        const admin = new TokenAdmin(db, () => new Date(), config.TOKEN_ROTATION_WINDOW_MINUTES);
        const upkeep = await upkeepState(db, config, new Date());
        const items = await Promise.all(apisOf(config).map(async (api) => {
          const health = await admin.health(api.name);
          const last = await db.message.findFirst({ where: { api: api.name }, orderBy: { id: "desc" }, select: { receivedAt: true } });
          const quarantined = await db.quarantinedBody.count({ where: { api: api.name, acceptedAt: null } });
          return {
            api: api.name,
            basePath: api.basePath,
            authHeader: api.authHeader,
            // A lagging archive holds the purge back and leaves raw messages with no copy outside the database.
            status: health.status === "green" && upkeep.archiveBehind ? "yellow" : health.status,
            usableTokens: health.tokens.filter((token) => ["active", "pending", "retiring"].includes(token.status) && !(token.expiresAt && token.expiresAt <= new Date())).length,
            lastCallbackAt: last?.receivedAt ?? null,
            quarantinedNotAccepted: quarantined,
            warnings: health.warnings,
          };
        }));
        if (context.output.json) {
          context.output.stdout.write(`${JSON.stringify({ items, upkeep }, null, 2)}\n`);
          return;
        }
        printRows(context.output, items, ["api", "basePath", "authHeader", "status", "usableTokens", "lastCallbackAt", "quarantinedNotAccepted"]);
        for (const item of items) {
          for (const warning of item.warnings) context.output.stdout.write(`warning: ${item.api}: token ${warning.fingerprint}: ${warning.message}\n`);
          if (item.status === "red") context.output.stdout.write(`${item.api}: no usable token, every callback gets 401: run tokens rotate and enter the token in the customs portal (H7_TOKEN only seeds an empty store)\n`);
        }
        if (upkeep.archiveBehind) context.output.stdout.write(`warning: the archive is behind (archived through ${upkeep.archivedThrough ?? "nothing yet"}), so the purge is held back: run archive run, see docs/backup-and-retention.md\n`);
        context.output.stdout.write("\n");
        printRecord(context.output, { ...upkeep, archiveBehind: upkeep.archiveBehind ? "yes" : "no" });
      }),
    );
}
