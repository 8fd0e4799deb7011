import { errorMessage } from "../messages/messages";
import { cli } from "../support/cli";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";

/** A clock the test moves by hand. */
function handClock(start: string) {
  let now = new Date(start);
  return { now: () => now, set: (instant: string) => (now = new Date(instant)) };
}

const metric = (text: string, name: string) => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(name));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

describe.each(databaseProviders())("what /v1/apis, status and /metrics say on %s", (provider) => {
  const clock = handClock("2026-03-02T08:00:00Z");
  let service: Awaited<ReturnType<typeof startTestService>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    service = await startTestService(provider, { QUARANTINE_BUDGET_BYTES: "100000" }, clock.now);
    env = { DATABASE_URL: service.testDatabase.database.url, QUARANTINE_BUDGET_BYTES: "100000" };
  }, 60_000);
  afterAll(() => service?.stop());

  const apis = async () => (await internal(service).get("/v1/apis").expect(200)).body;

  test("the last callback is the latest arrival, even after an older body is accepted by hand as a newer row", async () => {
    clock.set("2026-03-02T08:00:00Z");
    const refused = (
      await postCallback(service.publicApp, paths.error, { ...errorMessage(), error: "bad" }).expect(400)
    ).body.quarantineId;
    clock.set("2026-03-02T09:00:00Z");
    const stored = (await postCallback(service.publicApp, paths.error, errorMessage()).expect(200)).body;
    const accepted = (
      await internal(service).post(`/v1/quarantine/${refused}/accept`, { reason: "checked by phone" }).expect(201)
    ).body;
    expect(accepted.id).toBeGreaterThan(stored.id);
    expect(accepted.receivedAt).toBe("2026-03-02T08:00:00.000Z");

    const [item] = (await apis()).items;
    expect(item).toMatchObject({
      lastCallbackAt: "2026-03-02T09:00:00.000Z",
      lastCallbackByChannel: { declaration_error: "2026-03-02T09:00:00.000Z", declaration_response: null },
    });
    const metrics = (await internal(service).get("/metrics").expect(200)).text;
    expect(metric(metrics, 'receiver_last_callback_timestamp_seconds{api="h7"}')).toBe(
      Date.parse("2026-03-02T09:00:00Z") / 1000,
    );
  });

  test("/v1/apis carries what status shows: status, usable tokens, last callback per channel, open quarantine", async () => {
    await postCallback(service.publicApp, paths.error, "{ open").expect(400);
    await service.basePaths.flush(); // the calls per base path are written once a second: both reads see them
    const { items } = await apis();
    const shown = JSON.parse((await cli(env, "--json", "status")).stdout).items;
    const { tokens, ...fromApi } = items[0];
    expect(shown).toEqual([fromApi]);
    expect(fromApi).toMatchObject({ status: "green", usableTokens: 1, quarantinedOpen: expect.any(Number) });
    expect(fromApi.quarantinedOpen).toBeGreaterThan(0);
    expect(tokens).toEqual([expect.objectContaining({ status: "active", fingerprint: expect.any(String) })]);
    expect(tokens[0]).not.toHaveProperty("tokenHash");
  });

  test("a quarantine near its budget turns status yellow with a warning, and the bytes are exported", async () => {
    expect((await cli(env, "status")).code).toBe(0);
    const big = `{"padding": "${"x".repeat(90_000)}"`; // invalid JSON, kept whole
    await postCallback(service.publicApp, paths.error, big).expect(400);
    const shown = await cli(env, "status");
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(
      /^warning: h7: quarantine holds \d+ bytes, \d+% of QUARANTINE_BUDGET_BYTES \(100000\)/m,
    );
    const body = await apis();
    expect(body.quarantine).toMatchObject({ budgetBytes: 100000, nearBudget: true });
    expect(body.items[0].quarantineWarning).toContain("QUARANTINE_BUDGET_BYTES");
    const text = (await internal(service).get("/metrics").expect(200)).text;
    expect(metric(text, "receiver_quarantine_bytes")).toBeGreaterThanOrEqual(90_000);
  });

  test("the metrics to alert on: api status, tokens per status, retiring token expiry, latency, auth failures", async () => {
    await postCallback(service.publicApp, paths.error, errorMessage(), { token: "not-the-token-at-all-123" }).expect(
      401,
    );
    const rotated = (await internal(service).post("/v1/apis/h7/tokens", {}).expect(201)).body;
    await internal(service).post(`/v1/apis/h7/tokens/${rotated.id}/activate?force=true`, {}).expect(200);
    const text = (await internal(service).get("/metrics").expect(200)).text;
    expect(metric(text, 'receiver_api_status{api="h7"}')).toBe(1); // yellow: the old token is retiring
    expect(metric(text, 'receiver_tokens{api="h7",status="retiring"}')).toBe(1);
    expect(metric(text, 'receiver_tokens{api="h7",status="active"}')).toBe(1);
    const expiry = text
      .split("\n")
      .find((line) => line.startsWith('receiver_token_expiry_seconds{api="h7",fingerprint='));
    expect(Number(expiry?.split(" ").pop())).toBe(30 * 60); // TOKEN_ROTATION_WINDOW_MINUTES, the clock stands still
    expect(metric(text, 'receiver_auth_failures_total{api="h7",reason="invalid_token"}')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'receiver_callback_duration_seconds_count{api="h7",code="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'receiver_callback_duration_seconds_count{api="h7",code="4xx"}')).toBeGreaterThanOrEqual(1);
    expect(metric(text, "receiver_quarantine_budget_bytes")).toBe(100000);
  });
});
