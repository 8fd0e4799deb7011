import { FailureLimiter, sourceOf } from "../../src/intake/failure-limiter";

describe("the auth-failure limiter", () => {
  test("IPv6 clients are counted by their /64, IPv4-mapped addresses as the IPv4 address", () => {
    expect(sourceOf("2001:db8:1:2::a")).toBe("2001:db8:1:2::/64");
    expect(sourceOf("2001:0db8:0001:0002:ffff:0:0:b")).toBe("2001:db8:1:2::/64");
    expect(sourceOf("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(sourceOf("::1")).toBe("0:0:0:0::/64");
    expect(sourceOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(sourceOf("203.0.113.7")).toBe("203.0.113.7");

    const limiter = new FailureLimiter(3, () => new Date("2026-11-25T10:00:00Z"));
    for (const host of ["a", "b", "c"]) limiter.recordFailure(`2001:db8:1:2::${host}`);
    expect(limiter.isLimited("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(true);
    expect(limiter.isLimited("2001:db8:1:3::a")).toBe(false);
  });

  test("only the failure that reaches the limit says so, once per source and minute", () => {
    const limiter = new FailureLimiter(3, () => new Date("2026-11-25T10:00:00Z"));
    expect([1, 2, 3, 4, 5].map(() => limiter.recordFailure("198.51.100.9"))).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
  });

  test("a failure looks at a bounded number of sources however many are counted", () => {
    let now = Date.parse("2026-11-25T10:00:00Z");
    let clockReads = 0;
    const limiter = new FailureLimiter(30, () => (clockReads++, new Date(now)));
    const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < 20_000; i++) limiter.recordFailure(address(i));
    expect(limiter.size).toBe(20_000);

    // Each failure reads the clock once: it does not walk the 20,000 sources to find the ended ones.
    now += 61_000;
    clockReads = 0;
    limiter.recordFailure("192.0.2.1");
    expect(clockReads).toBe(1);
    // The ended windows still go, a couple per failure, as failures come.
    for (let i = 0; i < 10_000; i++) limiter.recordFailure("192.0.2.1");
    expect(limiter.size).toBeLessThanOrEqual(20_000 - 2 * 10_000 + 2);
  });

  test("a flood of distinct sources is held to maxSources, forgetting the oldest", () => {
    const limiter = new FailureLimiter(2, () => new Date("2026-11-25T10:00:00Z"), 1_000);
    limiter.recordFailure("192.0.2.1");
    limiter.recordFailure("192.0.2.1");
    for (let i = 0; i < 5_000; i++) limiter.recordFailure(`2001:db8:${i.toString(16)}::1`);
    expect(limiter.size).toBe(1_000);
    expect(limiter.isLimited("192.0.2.1")).toBe(false);
  });
});
