import type { Metrics } from "../http/metrics";
import type { StatusReport } from "./report";

const LEVEL = { green: 0, yellow: 1, red: 2 } as const;
const TOKEN_STATUSES = ["active", "pending", "retiring", "expired", "revoked"];

/** Sets the sampled gauges from a status report, so /metrics says what `status` says. */
export function sampleStatus(metrics: Metrics, report: StatusReport, now: Date): void {
  for (const gauge of [
    metrics.quarantineSize,
    metrics.apiStatus,
    metrics.tokens,
    metrics.tokenExpirySeconds,
    metrics.lastCallback,
  ])
    gauge.reset();
  metrics.quarantineBytes.set(report.quarantine.bytes);
  metrics.quarantineBudgetBytes.set(report.quarantine.budgetBytes);
  metrics.quarantineNearBudget.set(report.quarantine.nearBudget ? 1 : 0);
  for (const item of report.items) {
    metrics.quarantineSize.set({ api: item.api }, item.quarantinedOpen);
    metrics.apiStatus.set({ api: item.api }, LEVEL[item.status]);
    for (const status of TOKEN_STATUSES) {
      metrics.tokens.set({ api: item.api, status }, item.tokens.filter((token) => token.status === status).length);
    }
    for (const token of item.tokens) {
      if (token.status === "retiring" && token.expiresAt) {
        metrics.tokenExpirySeconds.set(
          { api: item.api, fingerprint: token.fingerprint },
          (token.expiresAt.getTime() - now.getTime()) / 1000,
        );
      }
    }
    if (item.lastCallbackAt) metrics.lastCallback.set({ api: item.api }, item.lastCallbackAt.getTime() / 1000);
  }
}
