import type { Config } from "../config";
import type { Db } from "../db/client";
import { unknownChannel } from "../douane/h7/channels";
import type { ApiDefinition } from "../intake/apis";
import { quarantineTotals } from "../quarantine/queries";
import type { TokenAdmin } from "../tokens/admin";
import type { ApiStatus } from "../tokens/lifecycle";

export interface QuarantineBudget {
  budgetBytes: number;
  /** The share of the budget from which status turns yellow and the alert fires. */
  warnRatio: number;
}

export const budgetOf = (config: Pick<Config, "QUARANTINE_BUDGET_BYTES" | "QUARANTINE_BUDGET_WARN_PERCENT">): QuarantineBudget => ({
  budgetBytes: config.QUARANTINE_BUDGET_BYTES,
  warnRatio: config.QUARANTINE_BUDGET_WARN_PERCENT / 100,
});

const SEVERITY: Record<ApiStatus, number> = { green: 0, yellow: 1, red: 2 };

/** The exit code of `status`, as monitoring plugins use them: 0 green, 1 yellow, 2 red. */
export const exitCodeOf = (statuses: ApiStatus[]): number => Math.max(0, ...statuses.map((status) => SEVERITY[status]));

const worst = (a: ApiStatus, b: ApiStatus): ApiStatus => (SEVERITY[a] >= SEVERITY[b] ? a : b);

/** What the service says about itself, per API: one report for `status`, GET /v1/apis and /metrics. */
export async function statusReport(db: Db, admin: TokenAdmin, apis: ApiDefinition[], budget: QuarantineBudget, now: Date) {
  const totals = await quarantineTotals(db);
  const nearBudget = totals.bytes >= budget.budgetBytes * budget.warnRatio;
  const quarantineWarning = nearBudget
    ? `quarantine holds ${totals.bytes} bytes, ${Math.round((100 * totals.bytes) / budget.budgetBytes)}% of QUARANTINE_BUDGET_BYTES (${budget.budgetBytes}): review and dismiss or accept what waits`
    : null;
  const items = await Promise.all(apis.map(async (api) => {
    const health = await admin.health(api.name);
    const byChannel = await lastCallbacks(db, api);
    const times = Object.values(byChannel).filter((at): at is Date => at !== null);
    return {
      api: api.name,
      basePath: api.basePath,
      authHeader: api.authHeader,
      status: worst(health.status, nearBudget ? "yellow" : "green"),
      usableTokens: health.tokens.filter((token) => ["active", "pending", "retiring"].includes(token.status) && !(token.expiresAt && token.expiresAt <= now)).length,
      lastCallbackAt: times.length ? new Date(Math.max(...times.map((at) => at.getTime()))) : null,
      lastCallbackByChannel: byChannel,
      quarantinedOpen: totals.openByApi.get(api.name) ?? 0,
      warnings: health.warnings,
      quarantineWarning,
      tokens: health.tokens,
    };
  }));
  return { items, quarantine: { bytes: totals.bytes, budgetBytes: budget.budgetBytes, nearBudget } };
}

export type StatusReport = Awaited<ReturnType<typeof statusReport>>;

/** The latest arrival per channel: max(receivedAt), not the highest id (a message accepted by hand from quarantine
 *  keeps the time it arrived). One (api, channel, receivedAt) index lookup per channel. */
async function lastCallbacks(db: Db, api: ApiDefinition): Promise<Record<string, Date | null>> {
  const channels = [...api.channels.map((channel) => channel.name), unknownChannel.name];
  const latest = await Promise.all(channels.map(async (channel) => {
    const row = await db.message.aggregate({ where: { api: api.name, channel }, _max: { receivedAt: true } });
    return [channel, row._max.receivedAt] as const;
  }));
  return Object.fromEntries(latest);
}
