import type { Db } from "../../src/db/client";
import { createLogger } from "../../src/http/logger";
import { Reconciler } from "../../src/outbound/reconcile";
import { openedForSuite } from "../support/databases";

describe("the reconciler of expected returns", () => {
  const opened = openedForSuite("sqlite");

  test("under a steady flow of nudges (one per group commit) runs about once a second, not back to back", async () => {
    const runs: number[] = [];
    // Each run reads the open expectations first: counting those reads counts the runs, on the real database.
    const counted = opened.db.$extends({
      query: {
        expectation: {
          findMany: ({ args, query }) => {
            runs.push(Date.now());
            return query(args);
          },
        },
      },
    }) as unknown as Db;
    const reconciler = new Reconciler(counted, createLogger("silent"));
    reconciler.start(60_000);
    const started = Date.now();
    // Nudged at every turn of the event loop, as group commits do under load: some nudges land during a run.
    while (Date.now() - started < 2_500) {
      reconciler.nudge();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reconciler.stop();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(3);
  });

  test("a nudge during a run is not lost: one more run follows, a second after it", async () => {
    const runs: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const counted = opened.db.$extends({
      query: {
        expectation: {
          findMany: async ({ args, query }) => {
            runs.push(Date.now());
            if (runs.length === 1) await held; // the first run stays open until the nudge is in
            return query(args);
          },
        },
      },
    }) as unknown as Db;
    const reconciler = new Reconciler(counted, createLogger("silent"));
    reconciler.start(60_000);
    const first = reconciler.run();
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    reconciler.nudge();
    release();
    await first;
    const ended = Date.now();
    while (runs.length < 2 && Date.now() - ended < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
    await reconciler.stop();
    expect(runs).toHaveLength(2);
    expect(runs[1] - ended).toBeGreaterThanOrEqual(900);
  });
});
