import { isIPv6 } from "node:net";

const WINDOW_MS = 60_000;

/** Counts failed authentications per source in one-minute windows (an IPv6 client by its /64, which any one
 *  subscriber holds whole). Pure apart from its map; the clock is injected. A caller with a valid token never
 *  reaches it. Each failure costs the same however many sources are counted: windows sit in the map in the order
 *  they started, so the ended ones are dropped from its front as failures come, and the oldest once `maxSources`
 *  are counted (a flood of distinct sources then forgets its oldest members, never grows memory). */
export class FailureLimiter {
  private windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly clock: () => Date,
    private readonly maxSources = 100_000,
  ) {}

  /** True once `address`'s source has failed `limitPerMinute` times in its current minute. */
  isLimited(address: string): boolean {
    const window = this.current(sourceOf(address), this.clock().getTime());
    return window !== undefined && window.failures >= this.limitPerMinute;
  }

  /** Seconds until the source's window ends. */
  retryAfterSeconds(address: string): number {
    const now = this.clock().getTime();
    const window = this.current(sourceOf(address), now);
    return window ? Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000)) : 0;
  }

  /** Counts one failure; true when it is the one that makes the source limited (worth one log line). */
  recordFailure(address: string): boolean {
    const now = this.clock().getTime();
    const source = sourceOf(address);
    this.forgetEnded(now);
    let window = this.current(source, now);
    if (!window) {
      this.windows.delete(source); // an ended window moves to the back as a new one
      if (this.windows.size >= this.maxSources) this.windows.delete(this.windows.keys().next().value as string);
      window = { startedAt: now, failures: 0 };
      this.windows.set(source, window);
    }
    window.failures += 1;
    return window.failures === this.limitPerMinute;
  }

  /** How many sources are being counted. */
  get size(): number {
    return this.windows.size;
  }

  private current(source: string, now: number) {
    const window = this.windows.get(source);
    return window && now - window.startedAt < WINDOW_MS ? window : undefined;
  }

  // Two per failure: more than the one window a failure can add, so the ended ones never pile up.
  private forgetEnded(now: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = this.windows.entries().next();
      if (oldest.done || now - oldest.value[1].startedAt < WINDOW_MS) return;
      this.windows.delete(oldest.value[0]);
    }
  }
}

/** The source a failure is counted against: an IPv4 address (also when IPv4-mapped), or an IPv6 /64. */
export function sourceOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const bare = address.split("%")[0];
  if (!isIPv6(bare)) return address;
  const halves = bare.toLowerCase().split("::");
  const groups = (part: string) =>
    part === "" ? [] : part.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group]));
  const [left, right] = [groups(halves[0]), halves.length === 2 ? groups(halves[1]) : []];
  const full = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${full
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
