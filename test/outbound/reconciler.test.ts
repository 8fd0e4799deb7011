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
});
