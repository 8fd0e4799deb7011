import { Command } from "commander";
import { BasePathAdmin } from "../basepaths/admin";
import { DestinationAdmin } from "../delivery/destinations";
import { deliveryWarnings } from "../delivery/health";
import { apisOf } from "../douane/apis";
import { overdueCounts } from "../outbound/expectations";
import { budgetOf, exitCodeOf, statusReport } from "../status/report";
import { TokenAdmin } from "../tokens/admin";
import { configuredTokensOf } from "../tokens/configured";
import { upkeepState } from "../upkeep/state";
import type { CliContext } from "./context";
import { printRecord, printRows } from "./output";

/** `status`: per Douane API, the customs portal's traffic light from this side, and what to look at. Exits 0 when
 *  every API is green, 1 when one is yellow, 2 when one is red, as monitoring plugins do. */
export function statusCommand(context: CliContext): Command {
  return new Command("status")
    .description(
      "per API: base path, token header, status (green | yellow | red) with its warnings, last callback, quarantine awaiting a decision; exits 0 green, 1 yellow, 2 red, 3 when it cannot tell",
    )
    .action(() => {
      context.errorExitCode = 3;
      return context.withDatabase(async (db, config) => {
        const now = new Date();
        const admin = new TokenAdmin(
          db,
          () => now,
          config.TOKEN_ROTATION_WINDOW_MINUTES,
          undefined,
          configuredTokensOf(config),
        );
        const destinations = await new DestinationAdmin(db, () => now).list();
        const upkeep = await upkeepState(db, config, now);
        const report = await statusReport(db, admin, apisOf(config.apis), budgetOf(config), now, {
          basePaths: new BasePathAdmin(db, () => now, config.URL_MOVE_WINDOW_MINUTES),
          deliveryWarnings: async (api) => deliveryWarnings(destinations, api, now),
          overdueExpectations: () => overdueCounts(db, now),
          archiveBehind: upkeep.archiveBehind,
        });
        const items = report.items.map(({ tokens: _tokens, ...item }) => item);
        context.exitCode = exitCodeOf(items.map((item) => item.status));
        if (context.output.json) {
          context.output.stdout.write(`${JSON.stringify({ items, quarantine: report.quarantine, upkeep }, null, 2)}\n`);
          return;
        }
        printRows(context.output, items, [
          "api",
          "basePath",
          "authHeader",
          "status",
          "usableTokens",
          "lastCallbackAt",
          "quarantinedOpen",
        ]);
        for (const item of items) {
          for (const warning of item.warnings)
            context.output.stdout.write(`warning: ${item.api}: token ${warning.fingerprint}: ${warning.message}\n`);
          for (const warning of item.deliveryWarnings)
            context.output.stdout.write(`warning: ${item.api}: ${warning.message}\n`);
          if (item.overdueExpectations > 0)
            context.output.stdout.write(
              `${item.api}: ${item.overdueExpectations} expected Douane returns are overdue: run expectations list --status overdue\n`,
            );
          if (item.quarantineWarning) context.output.stdout.write(`warning: ${item.api}: ${item.quarantineWarning}\n`);
          if (item.usableTokens === 0)
            context.output.stdout.write(
              `${item.api}: no usable token, every callback gets 401: run tokens rotate and enter the token in the customs portal (the <API>_TOKEN variable only seeds an empty store)\n`,
            );
        }
        if (upkeep.archiveBehind)
          context.output.stdout.write(
            `warning: the archive is behind (archived through ${upkeep.archivedThrough ?? "nothing yet"}), so the purge is held back: run archive run, see docs/backup-and-retention.md\n`,
          );
        context.output.stdout.write("\n");
        printRecord(context.output, { ...upkeep, archiveBehind: upkeep.archiveBehind ? "yes" : "no" });
      });
    });
}
