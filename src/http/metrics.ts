import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's Prometheus metrics, in a registry of its own (several services can live in one test process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    callbacks: new Counter({
      name: "receiver_callbacks_total",
      help: "Douane callbacks answered, by API, channel and outcome (stored, duplicate, conflict, refused reason, unavailable)",
      labelNames: ["api", "channel", "outcome"] as const,
      registers: [registry],
    }),
    quarantined: new Counter({
      name: "receiver_quarantined_total",
      help: "Bodies kept in quarantine, by reason",
      labelNames: ["api", "reason"] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: "receiver_auth_failures_total",
      help: "Callbacks refused before their body was read, by reason (missing_token, invalid_token, rate_limited)",
      labelNames: ["api", "reason"] as const,
      registers: [registry],
    }),
    tokenUses: new Counter({
      name: "receiver_token_uses_total",
      help: "Authenticated callbacks, by token fingerprint (never the token)",
      labelNames: ["api", "fingerprint", "status"] as const,
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: "receiver_commit_duration_seconds",
      help: "Time to commit one group of messages (one database transaction)",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commitBatchSize: new Histogram({
      name: "receiver_commit_batch_size",
      help: "Messages committed together by one group commit",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
      registers: [registry],
    }),
    quarantineSize: new Gauge({
      name: "receiver_quarantine_rows",
      help: "Rows in quarantine not yet accepted (sampled when scraped)",
      labelNames: ["api"] as const,
      registers: [registry],
    }),
    douaneTokenRequests: new Counter({
      name: "receiver_douane_token_requests_total",
      help: "Access token requests sent to Douane's authorization server, by outcome (issued, refused, server_error, invalid_answer)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    douaneSubmissions: new Counter({
      name: "receiver_douane_submissions_total",
      help: "Tracked submissions to Douane, by operation and outcome (answered, rejected, unreachable, timeout, not_sent)",
      labelNames: ["operation", "outcome"] as const,
      registers: [registry],
    }),
    overdueExpectations: new Gauge({
      name: "receiver_expectations_overdue",
      help: "Expected Douane returns past their due time, neither received nor re-presented (sampled when scraped)",
      labelNames: ["api"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
