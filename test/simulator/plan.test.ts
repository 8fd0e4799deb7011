import { Writable } from "node:stream";
import { planRun, type RunOptions } from "../../src/simulator/plan";
import { progressOn } from "../../src/simulator/progress";
import { type Answer, formatSummary, percentile, summarize } from "../../src/simulator/summary";

const options: RunOptions = {
  seed: 99,
  count: 2000,
  channel: "mixed",
  duplicates: 0.1,
  conflicts: 0.05,
  invalid: 0.2,
  maxErrors: 999,
  at: new Date("2026-11-25T10:00:00Z"),
};

test("a run is decided by its seed: the same options plan the same calls, byte for byte", () => {
  const small = { ...options, count: 300 };
  expect(JSON.stringify(planRun(small))).toBe(JSON.stringify(planRun(small)));
  expect(JSON.stringify(planRun({ ...small, seed: 100 }))).not.toBe(JSON.stringify(planRun(small)));
});

test("duplicates, conflicts and invalid callbacks come in the fractions asked, each as described", () => {
  const calls = planRun(options);
  const share = (kind: string) => calls.filter((call) => call.kind === kind).length / calls.length;
  expect(share("duplicate")).toBeCloseTo(0.1, 1);
  expect(share("conflict")).toBeCloseTo(0.05, 1);
  expect(calls.filter((call) => call.kind === "new" && call.invalid).length / calls.length).toBeCloseTo(0.2, 1);
  for (const call of calls) {
    const original = call.originalIndex === null ? null : calls[call.originalIndex];
    if (call.kind === "duplicate") {
      expect(JSON.stringify(call.callback)).toBe(JSON.stringify(original!.callback));
      expect(call.expectedStatus).toBe(original!.expectedStatus);
    }
    if (call.kind === "conflict") {
      expect(call.callback.body.header.messageId).toBe(original!.callback.body.header.messageId);
      expect(JSON.stringify(call.callback.body)).not.toBe(JSON.stringify(original!.callback.body));
      expect(original!.invalid).toBeNull();
      expect(call.expectedStatus).toBe(200);
    }
    expect(call.expectedStatus).toBe(call.invalid ? 400 : 200);
  }
  expect(new Set(calls.map((call) => call.callback.channel))).toEqual(
    new Set(["declaration_response", "request_registration", "declaration_error"]),
  );
  expect(
    new Set(planRun({ ...options, channel: "request_registration", count: 50 }).map((call) => call.callback.channel)),
  ).toEqual(new Set(["request_registration"]));
});

test("the summary counts answers per status, tells duplicates and conflicts apart, and names unexpected answers", () => {
  const answer = (
    index: number,
    expectedStatus: number,
    status: number | null,
    body: Record<string, unknown> | null,
    latencyMs: number,
  ): Answer => ({
    index,
    kind: "new",
    expectedStatus,
    status,
    body,
    latencyMs,
    ...(status === null ? { error: "ECONNREFUSED" } : {}),
  });
  const summary = summarize(
    [
      answer(0, 200, 200, { duplicate: false }, 1),
      answer(1, 200, 200, { duplicate: true }, 2),
      answer(2, 200, 200, { duplicate: true, conflict: true }, 3),
      answer(3, 400, 400, { error: "invalid_schema" }, 4),
      answer(4, 200, 401, { error: "unauthorized" }, 5),
      answer(5, 200, null, null, 100),
    ],
    2000,
  );
  expect(summary).toMatchObject({
    sent: 6,
    ratePerSecond: 3,
    byStatus: { 200: 3, 400: 1, 401: 1, none: 1 },
    stored: 1,
    duplicatesAcknowledged: 1,
    conflicts: 1,
    refused: 1,
    unexpected: 2,
    latencyMs: { p50: 3, p99: 100, max: 100 },
  });
  expect(summary.unexpectedSamples).toEqual([
    { index: 4, expected: 200, status: 401, body: { error: "unauthorized" } },
    { index: 5, expected: 200, status: null, error: "ECONNREFUSED" },
  ]);
  expect(formatSummary(summary, "http://x/dh7")).toContain("call #4: expected 200, got 401");
  expect(percentile([], 0.5)).toBe(0);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
});

function sink(isTTY: boolean) {
  let text = "";
  const stream = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) }), {
    isTTY,
  });
  return { stream, text: () => text };
}

test("progress is a bar redrawn in place on a terminal, and a line every tenth in a log", () => {
  const log = sink(false);
  const inLog = progressOn(log.stream, 20);
  for (let i = 0; i < 20; i++) inLog.tick(i % 4 === 0 ? 400 : 200);
  inLog.finish();
  expect(log.text().trim().split("\n")).toHaveLength(10);
  expect(log.text()).toContain("progress: 20/20 (100%) 400×5 200×15");
  expect(log.text()).not.toContain("\r");

  let clock = 0;
  const terminal = sink(true);
  const onTerminal = progressOn(terminal.stream, 3, () => (clock += 100));
  for (let i = 0; i < 3; i++) onTerminal.tick(200);
  onTerminal.finish();
  expect(terminal.text()).toMatch(/^\r\[#{10}-{20}\] 1\/3 +33%/);
  expect(terminal.text()).toContain("\r[##############################] 3/3 100%  200×3");
  expect(terminal.text().endsWith("\n")).toBe(true);
});
