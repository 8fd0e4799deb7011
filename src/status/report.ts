import type { BasePathAdmin } from "../basepaths/admin";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { DeliveryWarning } from "../delivery/health";
import type { ApiDefinition } from "../douane/apis";
import { quarantineTotals } from "../quarantine/queries";
import type { TokenAdmin } from "../tokens/admin";
import type { ApiStatus } from "../tokens/health";
import { isUsable } from "../tokens/status";

export interface QuarantineBudget {
  budgetBytes: number;
  /** The share of the budget from which status turns yellow and the alert fires. */
  warnRatio: number;
}

export const budgetOf = (
  config: Pick<Config, "QUARANTINE_BUDGET_BYTES" | "QUARANTINE_BUDGET_WARN_PERCENT">,
): QuarantineBudget => ({
  budgetBytes: config.QUARANTINE_BUDGET_BYTES,
  warnRatio: config.QUARANTINE_BUDGET_WARN_PERCENT / 100,
});

const SEVERITY: Record<ApiStatus, number> = { green: 0, yellow: 1, red: 2 };

/** The exit code of `status`, as monitoring plugins use them: 0 green, 1 yellow, 2 red. */
export const exitCodeOf = (statuses: ApiStatus[]): number => Math.max(0, ...statuses.map((status) => SEVERITY[status]));

const worst = (a: ApiStatus, b: ApiStatus): ApiStatus => (SEVERITY[a] >= SEVERITY[b] ? a : b);

/** What else colours an API: a URL move in progress, destinations failing for long, Douane returns that never came. */
export interface StatusSources {
  basePaths?: BasePathAdmin;
  deliveryWarnings?: (api: string) => Promise<DeliveryWarning[]>;
  overdueExpectations?: () => Promise<Map<string, number>>;
  /** Retention is on and the archive lags: the purge is held back and raw messages have no copy outside the database. */
  archiveBehind?: boolean;
}

/** What the service says about itself, per API: one report for `status`, GET /v1/apis and /metrics. */
export async function statusReport(
  db: Db,
  admin: TokenAdmin,
  apis: ApiDefinition[],
  budget: QuarantineBudget,
  now: Date,
  sources: StatusSources = {},
) {
  const totals = await quarantineTotals(db);
  const nearBudget = totals.bytes >= budget.budgetBytes * budget.warnRatio;
  const quarantineWarning = nearBudget
    ? `quarantine holds ${totals.bytes} bytes, ${Math.round((100 * totals.bytes) / budget.budgetBytes)}% of QUARANTINE_BUDGET_BYTES (${budget.budgetBytes}): review and dismiss or accept what waits`
    : null;
  const overdue = (await sources.overdueExpectations?.()) ?? new Map<string, number>();
  const items = await Promise.all(
    apis.map(async (api) => {
      const health = await admin.health(api.name);
      const move = sources.basePaths ? await sources.basePaths.health(api.name) : { paths: [], warnings: [] };
      const failing = sources.deliveryWarnings ? await sources.deliveryWarnings(api.name) : [];
      const overdueExpectations = overdue.get(api.name) ?? 0;
      const byChannel = await lastCallbacks(db, api);
      const times = Object.values(byChannel).filter((at): at is Date => at !== null);
      return {
        api: api.name,
        basePath: move.paths.find((path) => path.role === "current")?.basePath ?? api.basePath,
        authHeader: api.authHeader,
        // Returns that never came, and destinations failing for long, are the operator's to look at, like the portal's yellow.
        status: worst(
          health.status,
          nearBudget ||
            move.warnings.length > 0 ||
            failing.length > 0 ||
            overdueExpectations > 0 ||
            sources.archiveBehind
            ? "yellow"
            : "green",
        ),
        usableTokens: health.tokens.filter((token) => isUsable(token, now)).length,
        lastCallbackAt: times.length ? new Date(Math.max(...times.map((at) => at.getTime()))) : null,
        lastCallbackByChannel: byChannel,
        quarantinedOpen: totals.openByApi.get(api.name) ?? 0,
        warnings: [
          ...health.warnings,
          ...move.warnings.map((warning) => ({ tokenId: null, fingerprint: null, ...warning })),
        ],
        quarantineWarning,
        overdueExpectations,
        basePaths: move.paths.map(({ id, basePath, role, createdAt, movedAt, retiredAt, lastCallAt, callCount }) => ({
          id,
          basePath,
          role,
          createdAt,
          movedAt,
          retiredAt,
          lastCallAt,
          callCount,
        })),
        deliveryWarnings: failing,
        tokens: health.tokens,
      };
    }),
  );
  return { items, quarantine: { bytes: totals.bytes, budgetBytes: budget.budgetBytes, nearBudget } };
}

export type StatusReport = Awaited<ReturnType<typeof statusReport>>;

/** The latest arrival per channel: max(receivedAt), not the highest id (a message accepted by hand from quarantine
 *  keeps the time it arrived). One (api, channel, receivedAt) index lookup per channel. */
async function lastCallbacks(db: Db, api: ApiDefinition): Promise<Record<string, Date | null>> {
  const channels = api.contract.channels;
  if (channels === null) {
    // A generic API's channels are whatever paths Douane called: read them from the stored messages.
    const rows = await db.message.groupBy({ by: ["channel"], where: { api: api.name }, _max: { receivedAt: true } });
    return Object.fromEntries(rows.map((row) => [row.channel, row._max.receivedAt]));
  }
  const latest = await Promise.all(
    channels.map(async (channel) => {
      const row = await db.message.aggregate({ where: { api: api.name, channel }, _max: { receivedAt: true } });
      return [channel, row._max.receivedAt] as const;
    }),
  );
  return Object.fromEntries(latest);
}
