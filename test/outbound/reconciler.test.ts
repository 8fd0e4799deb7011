import type { Db } from "../../src/db/client";
import { createLogger } from "../../src/http/logger";
import { Reconciler } from "../../src/outbound/reconcile";
import { seedRows } from "../messages/messages";
import { openedForSuite } from "../support/databases";

describe("the reconciler of expected returns", () => {
  const opened = openedForSuite("sqlite");

  /** The real database, each read of the open expectations recorded (every run begins with one); the first read
   *  waits for `firstReadHeld` when given, so that run stays open. */
  function countingReads(firstReadHeld?: Promise<void>) {
    const reads: number[] = [];
    const db = opened.db.$extends({
      query: {
        expectation: {
          findMany: async ({ args, query }) => {
            reads.push(Date.now());
            if (reads.length === 1 && firstReadHeld) await firstReadHeld;
            return query(args);
          },
        },
      },
    }) as unknown as Db;
    return { db, reads };
  }
  const heldUntilReleased = () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    return { held, release };
  };

  test("under a steady flow of nudges (one per group commit) runs about once a second, not back to back", async () => {
    const { db, reads: runs } = countingReads(); // no expectation open: one read a run
    const reconciler = new Reconciler(db, createLogger("silent"));
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
    const { held, release } = heldUntilReleased();
    const { db, reads: runs } = countingReads(held); // the first run stays open until the nudge is in
    const reconciler = new Reconciler(db, createLogger("silent"));
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

  test("run() called during a run resolves once one more run, begun after that call, has read the database", async () => {
    const { held, release } = heldUntilReleased();
    const { db, reads: runs } = countingReads(held);
    const reconciler = new Reconciler(db, createLogger("silent"));
    const first = reconciler.run();
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const calledAt = Date.now();
    const second = reconciler.run();
    const third = reconciler.run(); // shares the second's run
    release();
    await Promise.all([first, second, third]);
    await reconciler.stop();
    expect(runs).toHaveLength(2);
    expect(runs[1]).toBeGreaterThanOrEqual(calledAt);
  });

  test("run() called just as a run ends, after its last read, still gets a run of its own", async () => {
    const sentAt = new Date("2026-11-27T08:00:00Z");
    await opened.db.expectation.create({
      data: {
        api: "h7",
        lrn: "LRN-RUN-END",
        sentAt,
        dueAt: new Date("2026-11-27T09:00:00Z"),
        source: "registered",
        dedupeKey: "run-end",
        createdAt: sentAt,
      },
    });
    await seedRows(opened.db, 1, () => ({ lrn: "LRN-RUN-END", receivedAt: new Date("2026-11-27T08:30:00Z") }));
    const { db, reads: runs } = countingReads();
    let late: Promise<void> | undefined;
    // The closing is reported inside the run; a call queued from there comes after the run's last read, before it ends.
    const reconciler = new Reconciler(db, createLogger("silent"), () =>
      queueMicrotask(() => (late = reconciler.run())),
    );
    const readsBefore = runs.length;
    await reconciler.run();
    await late;
    await reconciler.stop();
    // The first run reads twice (its expectation, then none left); the late call's run reads once more.
    expect(runs.length - readsBefore).toBe(3);
  });
});
