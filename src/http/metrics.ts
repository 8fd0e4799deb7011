import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

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
    basePathCalls: new Counter({
      name: "receiver_base_path_calls_total",
      help: "Calls by base path role: current, previous (the old URL during a move), retired (answered 404)",
      labelNames: ["api", "role"] as const,
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
    deliveryAttempts: new Counter({
      name: "receiver_delivery_attempts_total",
      help: "Delivery attempts to destinations, by destination id and outcome (delivered, retrying, failed)",
      labelNames: ["destination", "outcome"] as const,
      registers: [registry],
    }),
    deliveriesPending: new Gauge({
      name: "receiver_deliveries_pending",
      help: "Deliveries not yet delivered nor failed, by destination id (sampled when scraped)",
      labelNames: ["destination"] as const,
      registers: [registry],
    }),
    oldestPendingSeconds: new Gauge({
      name: "receiver_delivery_oldest_pending_seconds",
      help: "Age of the oldest pending delivery, by destination id (sampled when scraped; 0 when none)",
      labelNames: ["destination"] as const,
      registers: [registry],
    }),
    callbackSeconds: new Histogram({
      name: "receiver_callback_duration_seconds",
      help: "Time from a Douane callback's arrival to its answer (commit included), by API and status class",
      labelNames: ["api", "code"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    // The gauges below are sampled from the database when scraped: every replica tells the same.
    quarantineSize: new Gauge({
      name: "receiver_quarantine_rows",
      help: "Quarantined bodies waiting for a decision (neither accepted nor dismissed)",
      labelNames: ["api"] as const,
      registers: [registry],
    }),
    quarantineBytes: new Gauge({
      name: "receiver_quarantine_bytes",
      help: "Bytes of bodies kept in quarantine, every row",
      registers: [registry],
    }),
    quarantineBudgetBytes: new Gauge({
      name: "receiver_quarantine_budget_bytes",
      help: "QUARANTINE_BUDGET_BYTES",
      registers: [registry],
    }),
    quarantineNearBudget: new Gauge({
      name: "receiver_quarantine_near_budget",
      help: "1 when the quarantine holds QUARANTINE_BUDGET_WARN_PERCENT of its budget or more (status is yellow then), else 0",
      registers: [registry],
    }),
    apiStatus: new Gauge({
      name: "receiver_api_status",
      help: "Each API's status as `status` shows it: 0 green, 1 yellow, 2 red (no usable token)",
      labelNames: ["api"] as const,
      registers: [registry],
    }),
    tokens: new Gauge({
      name: "receiver_tokens",
      help: "Tokens per API and status (active, pending, retiring, expired, revoked)",
      labelNames: ["api", "status"] as const,
      registers: [registry],
    }),
    tokenExpirySeconds: new Gauge({
      name: "receiver_token_expiry_seconds",
      help: "Seconds until each retiring token stops being accepted (negative once past)",
      labelNames: ["api", "fingerprint"] as const,
      registers: [registry],
    }),
    lastCallback: new Gauge({
      name: "receiver_last_callback_timestamp_seconds",
      help: "Arrival time (Unix seconds) of the latest message stored per API; absent before the first",
      labelNames: ["api"] as const,
      registers: [registry],
    }),
    bodyBytesInFlight: new Gauge({
      name: "receiver_body_bytes_in_flight",
      help: "Bytes of request bodies held by the public listener (MAX_INFLIGHT_BYTES bounds it)",
      registers: [registry],
    }),
    busyRefusals: new Counter({
      name: "receiver_busy_refusals_total",
      help: "Bodies refused with 503 unread because MAX_INFLIGHT_BYTES was reached",
      registers: [registry],
    }),
    droppedConnections: new Counter({
      name: "receiver_dropped_connections_total",
      help: "Connections closed on arrival because MAX_CONNECTIONS were open, by listener",
      labelNames: ["listener"] as const,
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
    ...upkeepGauges(registry),
  };
}

/** Sampled when scraped (src/upkeep/state.ts). A timestamp of 0: never done. */
function upkeepGauges(registry: Registry) {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  return {
    databaseBytes: gauge(
      "receiver_database_size_bytes",
      "Size of the database (SQLite: the main file's pages; PostgreSQL: pg_database_size)",
    ),
    oldestMessageAge: gauge(
      "receiver_oldest_message_age_seconds",
      "Age of the oldest message still in the database (0 when there is none)",
    ),
    lastBackup: gauge(
      "receiver_last_backup_timestamp_seconds",
      "When the last `db backup` finished (Unix time; 0: never)",
    ),
    lastArchive: gauge(
      "receiver_last_archive_timestamp_seconds",
      "When the last archive run finished (Unix time; 0: never)",
    ),
    lastPurge: gauge("receiver_last_purge_timestamp_seconds", "When the last purge finished (Unix time; 0: never)"),
    archiveBehind: gauge(
      "receiver_archive_behind",
      "1 when retention is on and a day over for more than a day is not archived yet (status yellow)",
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
