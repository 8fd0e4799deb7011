import type { Logger } from "pino";
import type { Db } from "../db/client";

const CHUNK = 200;
const NUDGE_DELAY_MS = 1_000;

/**
 * Closes every open expectation whose return is stored: a message of the same API naming its lrn or its
 * operatorRequestReference, received at or after it was sent. It reads the messages table only, whoever wrote
 * the rows (the intake, a quarantine acceptance, another replica), so it is correct after any crash; and it is
 * idempotent: the conditional update closes a row once, with the first matching return.
 * Returns how many expectations it closed.
 */
async function reconcileExpectations(db: Db): Promise<number> {
  let closed = 0;
  let afterId = 0;
  for (;;) {
    const open = await db.expectation.findMany({
      where: { closedAt: null, id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: CHUNK,
      select: { id: true, api: true, lrn: true, operatorRequestReference: true, sentAt: true },
    });
    if (open.length === 0) return closed;
    afterId = open[open.length - 1].id;
    const lrns = [...new Set(open.flatMap((row) => (row.lrn ? [row.lrn] : [])))];
    const references = [
      ...new Set(open.flatMap((row) => (row.operatorRequestReference ? [row.operatorRequestReference] : []))),
    ];
    const earliest = new Date(Math.min(...open.map((row) => row.sentAt.getTime())));
    const returns = await db.message.findMany({
      where: {
        OR: [{ lrn: { in: lrns } }, { operatorRequestReference: { in: references } }],
        receivedAt: { gte: earliest },
      },
      orderBy: { id: "asc" },
      select: { id: true, api: true, lrn: true, operatorRequestReference: true, receivedAt: true },
    });
    for (const expectation of open) {
      const first = returns.find(
        (message) =>
          message.api === expectation.api &&
          message.receivedAt >= expectation.sentAt &&
          ((expectation.lrn !== null && message.lrn === expectation.lrn) ||
            (expectation.operatorRequestReference !== null &&
              message.operatorRequestReference === expectation.operatorRequestReference)),
      );
      if (!first) continue;
      const updated = await db.expectation.updateMany({
        where: { id: expectation.id, closedAt: null },
        data: { closedAt: first.receivedAt, closedByMessageId: first.id },
      });
      closed += updated.count;
    }
  }
}

/**
 * Runs the reconciliation periodically, and soon after a nudge (a message was stored, an expectation was
 * created). One run at a time; nudges during a run cause one more run a delay after it, never a queue of them:
 * under a steady flow of callbacks (a nudge at every group commit) it runs about once a second, not back to back.
 */
export class Reconciler {
  private running: Promise<void> | null = null;
  private followUp: Promise<void> | null = null;
  private nudgedDuringRun = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly onClosed: (count: number) => void = () => {},
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.nudge(), intervalMs).unref();
  }

  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.nudgedDuringRun = true;
      return;
    }
    // A second's delay gathers the nudges of a burst of callbacks into one run.
    this.soon ??= setTimeout(() => {
      this.soon = null;
      void this.run();
    }, NUDGE_DELAY_MS).unref();
  }

  /** Runs now, or once more after the run in progress (the callers during one run share that next run): for callers
   *  that need the result. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.followUp ??= this.running.then(() => {
        this.followUp = null;
        return this.run();
      });
      return this.followUp;
    }
    this.running = (async () => {
      try {
        const closed = await reconcileExpectations(this.db);
        if (closed > 0) this.onClosed(closed);
      } catch (error) {
        this.logger.warn({ err: error }, "reconciling expectations failed; retried at the next nudge or interval");
      }
    })().finally(() => {
      this.running = null;
      if (this.nudgedDuringRun) {
        this.nudgedDuringRun = false;
        this.nudge();
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
    await this.running;
  }
}
