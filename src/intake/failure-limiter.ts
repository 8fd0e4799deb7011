/** Counts failed authentications per source address in fixed one-minute windows. Pure apart from its map;
 *  the clock is injected. A caller with a valid token never reaches it. */
export class FailureLimiter {
  private windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly clock: () => Date,
  ) {}

  /** True once `source` has failed `limitPerMinute` times in its current minute. */
  isLimited(source: string): boolean {
    const window = this.current(source);
    return window !== undefined && window.failures >= this.limitPerMinute;
  }

  /** Seconds until `source`'s window ends. */
  retryAfterSeconds(source: string): number {
    const window = this.current(source);
    return window ? Math.max(1, Math.ceil((window.startedAt + 60_000 - this.clock().getTime()) / 1000)) : 0;
  }

  recordFailure(source: string): void {
    const window = this.current(source);
    if (window) window.failures += 1;
    else this.windows.set(source, { startedAt: this.clock().getTime(), failures: 1 });
    if (this.windows.size > 10_000) this.forgetEnded();
  }

  private current(source: string) {
    const window = this.windows.get(source);
    return window && this.clock().getTime() - window.startedAt < 60_000 ? window : undefined;
  }

  private forgetEnded(): void {
    for (const [source] of this.windows) if (!this.current(source)) this.windows.delete(source);
  }
}
