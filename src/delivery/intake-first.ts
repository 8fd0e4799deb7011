/** While messages are being committed, a delivery transaction waits for this many intake commits since the
 *  previous one. On SQLite both take turns on one connection, each holding it until the event loop has read its
 *  COMMIT's answer: a delivery transaction per intake commit cost the intake about a third of its rate. */
export const INTAKE_COMMITS_PER_DELIVERY_TURN = 5; // 3 left (e) at 0.73-0.90 × (c) in the bench, 5 at 0.85-1.00
/** No intake commit for this long: the intake is idle, delivery transactions go at once. */
const INTAKE_QUIET_MS = 50;

/**
 * Intake acknowledgements matter more than how soon a delivery goes out: delivery transactions (recording
 * attempts, claiming) take a turn only after a few intake commits, or once the intake has paused. Attempts that
 * end meanwhile join the waiting group (record.ts), so fewer, larger transactions carry the same deliveries.
 */
export class IntakeFirst {
  private commitsSinceTurn = 0;
  private lastCommit = Number.NEGATIVE_INFINITY;
  private readonly waiting: (() => void)[] = [];

  intakeCommitted(): void {
    this.commitsSinceTurn++;
    this.lastCommit = performance.now();
    if (this.commitsSinceTurn >= INTAKE_COMMITS_PER_DELIVERY_TURN) this.waiting[0]?.();
  }

  /** Resolves when a delivery transaction may begin. */
  async turn(): Promise<void> {
    while (
      this.commitsSinceTurn < INTAKE_COMMITS_PER_DELIVERY_TURN &&
      performance.now() - this.lastCommit <= INTAKE_QUIET_MS
    )
      await this.wake();
    this.commitsSinceTurn = 0;
  }

  /** Until the next turn's commits, or a while: then look again. */
  private wake(): Promise<void> {
    return new Promise((resolve) => {
      const woken = () => {
        clearTimeout(timer);
        const at = this.waiting.indexOf(woken);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve();
      };
      const timer = setTimeout(woken, INTAKE_QUIET_MS);
      this.waiting.push(woken);
    });
  }
}
