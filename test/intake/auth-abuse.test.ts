import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("failed authentications on %s", (provider) => {
  let service: TestService;
  let now: Date;
  beforeAll(async () => {
    now = new Date("2026-11-25T10:00:00Z");
    service = await startTestService(
      provider,
      { AUTH_FAILURE_LIMIT_PER_MINUTE: "3", TRUST_PROXY: "loopback" },
      () => now,
    );
  }, 60_000);
  afterAll(() => service?.stop());

  const from = (address: string, token: string | null) =>
    postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token }).set(
      "X-Forwarded-For",
      address,
    );

  test("a source that keeps failing gets 429 with Retry-After, while a valid token from it still gets 200", async () => {
    for (let i = 0; i < 3; i++) await from("203.0.113.7", "wrong-token-wrong-token-0000").expect(401);
    const limited = await from("203.0.113.7", "wrong-token-wrong-token-0000").expect(429);
    expect(limited.body.error).toBe("too_many_failures");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    await from("203.0.113.7", null).expect(429);
    await from("203.0.113.7", TEST_TOKEN).expect(200);
    await from("198.51.100.1", "wrong-token-wrong-token-0000").expect(401); // another source is not affected
  });

  test("the limit lifts when the minute is over", async () => {
    for (let i = 0; i < 3; i++) await from("203.0.113.8", null).expect(401);
    await from("203.0.113.8", null).expect(429);
    now = new Date(now.getTime() + 60_000);
    await from("203.0.113.8", null).expect(401);
  });

  test("a client writing its own X-Forwarded-For entries is still counted by the address the trusted proxy adds", async () => {
    // TRUST_PROXY=loopback: the proxy (here the test's loopback socket) appends the address it saw last.
    for (let i = 0; i < 3; i++) await from(`10.9.9.${i}, 203.0.113.90`, null).expect(401);
    await from("10.9.9.200, 203.0.113.90", null).expect(429);
  });

  test("clients of one IPv6 /64 share one count, and an IPv4-mapped address counts as its IPv4 address", async () => {
    for (const host of ["a", "b", "c"]) await from(`2001:db8:77:1::${host}`, null).expect(401);
    await from("2001:db8:77:1:ffff::1", null).expect(429);
    await from("2001:db8:77:2::a", null).expect(401);
    for (let i = 0; i < 3; i++) await from("::ffff:203.0.113.44", null).expect(401);
    await from("203.0.113.44", null).expect(429);
  });

  test("a limited source's 429s are logged at debug, after one warn line saying it is limited", async () => {
    const lines = () =>
      service.logs.map(
        (line) => JSON.parse(line) as { level: string; msg: string; source?: string; res?: { statusCode: number } },
      );
    const before = service.logs.length;
    for (let i = 0; i < 3; i++) await from("203.0.113.60", null).expect(401);
    for (let i = 0; i < 5; i++) await from("203.0.113.60", null).expect(429);
    const logged = lines().slice(before);
    expect(logged.filter((line) => line.res?.statusCode === 429).map((line) => line.level)).toEqual([
      "debug",
      "debug",
      "debug",
      "debug",
      "debug",
    ]);
    expect(
      logged.filter(
        (line) => line.level === "warn" && line.source === "203.0.113.60" && /too many failed/.test(line.msg),
      ),
    ).toHaveLength(1);
  });

  test("the request log holds the client's address as the trusted proxy gives it", async () => {
    const before = service.logs.length;
    await from("198.51.100.77", TEST_TOKEN).expect(200);
    const logged = service.logs.slice(before).map((line) => JSON.parse(line) as { req?: { remoteAddress: string } });
    expect(logged.filter((line) => line.req).map((line) => line.req?.remoteAddress)).toEqual(["198.51.100.77"]);
  });

  test("failures are counted by reason in the metrics", async () => {
    const metrics = (await internal(service).get("/metrics").expect(200)).text;
    expect(metrics).toMatch(/receiver_auth_failures_total\{api="h7",reason="invalid_token"\} [1-9]/);
    expect(metrics).toMatch(/receiver_auth_failures_total\{api="h7",reason="missing_token"\} [1-9]/);
    expect(metrics).toMatch(/receiver_auth_failures_total\{api="h7",reason="rate_limited"\} [1-9]/);
  });
});
