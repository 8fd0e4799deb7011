import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("failed authentications on %s", (provider) => {
  let service: TestService;
  let now: Date;
  beforeAll(async () => {
    now = new Date("2026-11-25T10:00:00Z");
    service = await startTestService(provider, { AUTH_FAILURE_LIMIT_PER_MINUTE: "3", TRUST_PROXY: "loopback" }, () => now);
  }, 60_000);
  afterAll(() => service?.stop());

  const from = (address: string, token: string | null) =>
    postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token }).set("X-Forwarded-For", address);

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

  test("failures are counted by reason in the metrics", async () => {
    const metrics = (await internal(service).get("/metrics").expect(200)).text;
    expect(metrics).toMatch(/receiver_auth_failures_total\{api="h7",reason="invalid_token"\} [1-9]/);
    expect(metrics).toMatch(/receiver_auth_failures_total\{api="h7",reason="missing_token"\} [1-9]/);
    expect(metrics).toMatch(/receiver_auth_failures_total\{api="h7",reason="rate_limited"\} [1-9]/);
  });
});
