import type { PlannedCall } from "./plan";

/** What the receiver answered to one call. `status` is null when no answer came (refused connection, timeout). */
export interface Answer {
  index: number;
  kind: PlannedCall["kind"];
  expectedStatus: number;
  status: number | null;
  /** The answer's JSON body, when it had one. */
  body: Record<string, unknown> | null;
  latencyMs: number;
  error?: string;
}

export interface Summary {
  sent: number;
  elapsedMs: number;
  ratePerSecond: number;
  /** Answers per HTTP status; "none" for calls that got no answer. */
  byStatus: Record<string, number>;
  /** 200 with duplicate: false: a new message committed. */
  stored: number;
  /** 200 with duplicate: true and no conflict: a resend recognised. */
  duplicatesAcknowledged: number;
  /** 200 with conflict: true: same messageId, other body, kept in quarantine. */
  conflicts: number;
  /** 400: refused as invalid, kept in quarantine. */
  refused: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Answers other than the one expected: a 401 (wrong token), a 5xx, no answer, a valid body refused… */
  unexpected: number;
  unexpectedSamples: { index: number; expected: number; status: number | null; error?: string; body?: unknown }[];
}

/** Pure: the run's answers as the numbers people check. */
export function summarize(answers: Answer[], elapsedMs: number): Summary {
  const byStatus: Record<string, number> = {};
  let stored = 0,
    duplicatesAcknowledged = 0,
    conflicts = 0,
    refused = 0;
  const unexpected: Answer[] = [];
  for (const answer of answers) {
    const key = answer.status === null ? "none" : String(answer.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (answer.status === 200 && answer.body?.conflict === true) conflicts++;
    else if (answer.status === 200 && answer.body?.duplicate === true) duplicatesAcknowledged++;
    else if (answer.status === 200) stored++;
    else if (answer.status === 400) refused++;
    if (answer.status !== answer.expectedStatus) unexpected.push(answer);
  }
  const latencies = answers.map((answer) => answer.latencyMs).sort((a, b) => a - b);
  return {
    sent: answers.length,
    elapsedMs: round(elapsedMs),
    ratePerSecond: elapsedMs > 0 ? round((answers.length * 1000) / elapsedMs) : 0,
    byStatus,
    stored,
    duplicatesAcknowledged,
    conflicts,
    refused,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    unexpected: unexpected.length,
    unexpectedSamples: unexpected.slice(0, 5).map((answer) => ({
      index: answer.index,
      expected: answer.expectedStatus,
      status: answer.status,
      ...(answer.error ? { error: answer.error } : {}),
      ...(answer.body ? { body: answer.body } : {}),
    })),
  };
}

/** Nearest rank, on sorted values. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]);
}

const round = (value: number) => Math.round(value * 10) / 10;

export function formatSummary(summary: Summary, url: string): string {
  const statuses = Object.entries(summary.byStatus)
    .map(([status, count]) => `${status} ×${count}`)
    .join(", ");
  const lines = [
    `sent ${summary.sent} callbacks to ${url} in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.ratePerSecond}/s)`,
    `answers: ${statuses || "none"}`,
    `stored ${summary.stored}, duplicates acknowledged ${summary.duplicatesAcknowledged}, conflicts ${summary.conflicts}, refused as invalid ${summary.refused}`,
    `latency p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms`,
    summary.unexpected === 0 ? "every answer was the one expected" : `${summary.unexpected} unexpected answers, e.g.:`,
    ...summary.unexpectedSamples.map(
      (sample) =>
        `  call #${sample.index}: expected ${sample.expected}, got ${sample.status ?? sample.error}${sample.body ? ` ${JSON.stringify(sample.body)}` : ""}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
