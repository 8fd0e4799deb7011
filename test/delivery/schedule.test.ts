import { MAX_ATTEMPTS, parseRetryAfter, retryDelay } from "../../src/delivery/schedule";

describe("the retry schedule", () => {
  test("waits about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, within ±20 % jitter, then gives up", () => {
    const steps = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    steps.forEach((step, i) => {
      expect(retryDelay(i + 1, null, () => 0)).toBe(step * 0.8);
      expect(retryDelay(i + 1, null, () => 1)).toBe(step * 1.2);
    });
    expect(MAX_ATTEMPTS).toBe(8);
    expect(retryDelay(8, null)).toBeNull();
  });

  test("a Retry-After lengthens the wait but never shortens it, and is capped at a day", () => {
    expect(retryDelay(1, 120_000, () => 0.5)).toBe(120_000);
    expect(retryDelay(3, 1_000, () => 0.5)).toBe(1_800_000);
    expect(retryDelay(1, 10 * 86_400_000, () => 0.5)).toBe(86_400_000);
  });

  test("Retry-After is read as seconds or as an HTTP date; anything else is ignored", () => {
    const now = new Date("2026-11-26T08:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 26 Nov 2026 08:02:00 GMT", now)).toBe(120_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
