/** Waits after each failed attempt (Svix's schedule, about 28 hours in all); after the last, the delivery fails. */
const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const JITTER = 0.2;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** The wait before the next attempt after `attempts` failed ones, or null when there is none left.
 *  ±20 % jitter spreads retries that failed together; a Retry-After (429/503) lengthens the wait, never
 *  shortens it. */
export function retryDelay(
  attempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const step = RETRY_DELAYS_MS[attempts - 1];
  const jittered = Math.round(step * (1 - JITTER + 2 * JITTER * random()));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
