import request from "supertest";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";
import { waitFor } from "../support/wait";

const MINUTE = 60_000;

describe.each(databaseProviders())("token health and rotation guards on %s", (provider) => {
  let service: TestService;
  let now: Date;
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const api = () => internal(service);
  const callback = (token: string) =>
    postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token });
  const apiStatus = async () => (await api().get("/v1/apis").expect(200)).body.items[0];
  const tokens = async () =>
    (await api().get("/v1/apis/h7/tokens").expect(200)).body.items as {
      id: number;
      status: string;
      expiresAt: string | null;
    }[];
  const secrets: string[] = [TEST_TOKEN];
  const rotate = async () => {
    const { body } = await api().post("/v1/apis/h7/tokens", { reason: "yearly" }).expect(201);
    secrets.push(body.token);
    return body as {
      id: number;
      token: string;
      fingerprint: string;
      oldToken: { id: number; acceptedUntil: string | null; meaning: string };
    };
  };
  /** Rotates and lets Douane's first callback with the new token switch; returns the new token and the old id. */
  const switched = async () => {
    const oldId = (await tokens()).find((token) => token.status === "active")!.id;
    const created = await rotate();
    await callback(created.token).expect(200);
    await waitFor(async () => (await tokens()).find((token) => token.id === created.id)?.status === "active");
    return { ...created, oldId };
  };

  beforeEach(async () => {
    now = new Date("2026-11-25T10:00:00Z");
    service = await startTestService(provider, {}, () => now);
  }, 60_000);
  afterEach(async () => {
    for (const secret of secrets) expect(service.logText()).not.toContain(secret);
    await service?.stop();
  });

  test("readiness is 503 naming the API while it has no usable token, and /v1/apis is red then", async () => {
    await request(service.publicApp).get("/health/ready").expect(200);
    const active = (await tokens())[0];
    await api().post(`/v1/apis/h7/tokens/${active.id}/revoke`, { force: true }).expect(200);
    const notReady = await request(service.publicApp).get("/health/ready").expect(503);
    expect(notReady.body).toMatchObject({
      status: "unavailable",
      checks: { tokens: false, database: true },
      apisWithoutUsableToken: ["h7"],
      message: expect.stringContaining("h7: no usable token"),
    });
    await request(service.internalApp!).get("/health/ready").expect(503);
    expect((await apiStatus()).status).toBe("red");
    // A new pending token is accepted: the listener must be ready to receive Douane's first call with it.
    await rotate();
    await request(service.publicApp).get("/health/ready").expect(200);
  });

  test("an expired token is refused as expired_token, counted apart, and turns /v1/apis red for 30 minutes", async () => {
    await switched();
    advance(31 * MINUTE);
    await service.tokenAdmin.expireDue("h7");
    const refused = await callback(TEST_TOKEN).expect(401);
    expect(refused.body).toMatchObject({ error: "unauthorized", reason: "expired_token" });
    expect((await callback("never-issued-token-0123456789").expect(401)).body.reason).toBe("invalid_token");
    await service.tokens.flushUsage();
    const metrics = (await api().get("/metrics").expect(200)).text;
    expect(metrics).toContain('receiver_auth_failures_total{api="h7",reason="expired_token"} 1');
    expect(metrics).toContain('receiver_auth_failures_total{api="h7",reason="invalid_token"} 1');
    const red = await apiStatus();
    // H7_TOKEN is that token too: the status also says the environment holds a retired token.
    expect(red).toMatchObject({
      status: "red",
      warnings: expect.arrayContaining([
        expect.objectContaining({
          code: "retired_token_presented",
          message: expect.stringContaining(`Douane still presents the retired token (last at ${now.toISOString()})`),
        }),
      ]),
    });
    advance(30 * MINUTE);
    expect((await apiStatus()).status).toBe("green");
    // Only hashes are kept: no stored column holds a token.
    const rows = JSON.stringify(await service.db.apiToken.findMany());
    for (const secret of secrets) expect(rows).not.toContain(secret);
  });

  test("a revoked token is refused as revoked_token and turns /v1/apis red", async () => {
    const { oldId } = await switched();
    const revoked = await api().post(`/v1/apis/h7/tokens/${oldId}/revoke`, { reason: "leaked" }).expect(200);
    expect(revoked.body.oldToken).toMatchObject({
      id: oldId,
      acceptedUntil: now.toISOString(),
      meaning: expect.stringContaining("revoked: refused since"),
    });
    expect((await callback(TEST_TOKEN).expect(401)).body.reason).toBe("revoked_token");
    await service.tokens.flushUsage();
    expect((await api().get("/metrics").expect(200)).text).toContain(
      'receiver_auth_failures_total{api="h7",reason="revoked_token"} 1',
    );
    expect(await apiStatus()).toMatchObject({
      status: "red",
      warnings: expect.arrayContaining([expect.objectContaining({ tokenId: oldId, code: "retired_token_presented" })]),
    });
  });

  test("the still-in-use warning starts when Douane presents the retiring token more than 15 minutes after the switch", async () => {
    await switched();
    advance(14 * MINUTE);
    await callback(TEST_TOKEN).expect(200);
    await service.tokens.flushUsage();
    expect((await apiStatus()).warnings).toEqual([]);
    advance(2 * MINUTE);
    await callback(TEST_TOKEN).expect(200);
    await service.tokens.flushUsage();
    expect(await apiStatus()).toMatchObject({
      status: "yellow",
      warnings: [expect.objectContaining({ code: "retiring_still_used" })],
    });
  });

  test("ops extend a retiring token's window: the answer says until when, the audit log says who and why", async () => {
    const { oldId } = await switched();
    const before = (await tokens()).find((token) => token.id === oldId)!.expiresAt!;
    const extended = await api()
      .post(`/v1/apis/h7/tokens/${oldId}/extend`, { minutes: 20, reason: "portal slow" })
      .set("X-Actor", "carol")
      .expect(200);
    const until = new Date(new Date(before).getTime() + 20 * MINUTE).toISOString();
    expect(extended.body).toMatchObject({
      id: oldId,
      status: "retiring",
      expiresAt: until,
      oldToken: { id: oldId, acceptedUntil: until },
    });
    const [event] = (await api().get("/v1/apis/h7/tokens/events").expect(200)).body.items;
    expect(event).toMatchObject({
      event: "extended",
      tokenId: oldId,
      reason: "portal slow",
      actor: expect.stringMatching(/^carol /),
      detail: { minutes: 20, until },
    });
    advance(45 * MINUTE);
    await callback(TEST_TOKEN).expect(200);
    const refused = await api().post(`/v1/apis/h7/tokens/${oldId}/extend`, { minutes: 0 }).expect(400);
    expect(refused.body.issues).toEqual([expect.objectContaining({ path: "minutes" })]);
    const active = (await tokens()).find((token) => token.status === "active")!;
    expect((await api().post(`/v1/apis/h7/tokens/${active.id}/extend`, { minutes: 5 }).expect(409)).body.error).toBe(
      "not_retiring",
    );
  });

  test("activating by hand a token Douane never presented needs force and says why; every answer says when the old token stops", async () => {
    const created = await rotate();
    expect(created.oldToken).toMatchObject({
      acceptedUntil: null,
      meaning: expect.stringContaining("30 minutes after the switch"),
    });
    const refused = await api().post(`/v1/apis/h7/tokens/${created.id}/activate`, {}).expect(409);
    expect(refused.body).toMatchObject({
      error: "never_presented",
      message: expect.stringContaining("Douane has never presented"),
    });
    expect((await tokens()).find((token) => token.id === created.id)!.status).toBe("pending");
    const forced = await api().post(`/v1/apis/h7/tokens/${created.id}/activate?force=true`, {}).expect(200);
    expect(forced.body).toMatchObject({
      status: "active",
      oldToken: { acceptedUntil: new Date(now.getTime() + 30 * MINUTE).toISOString() },
    });
    const events = (await api().get("/v1/apis/h7/tokens/events").expect(200)).body.items;
    expect(events[0]).toMatchObject({ event: "activated (forced)" });
  });

  test("the automatic switch on first use is logged at info with ids and fingerprints, never a value", async () => {
    const created = await switched();
    const lines = service.logs
      .flatMap((chunk) => chunk.split("\n"))
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const switchLine = lines.find(
      (line) => line.msg === "switched to the pending token on Douane's first callback with it",
    );
    expect(switchLine).toMatchObject({
      level: "info",
      api: "h7",
      tokenId: created.id,
      fingerprint: created.fingerprint,
      retiringTokenId: created.oldId,
      retiringFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      retiringUntil: new Date(now.getTime() + 30 * MINUTE).toISOString(),
    });
  });
});

describe.each(databaseProviders())("a start-up with a retired H7_TOKEN on %s", (provider) => {
  test("logs a warning naming the variable and shows it in the status, without colouring it", async () => {
    let now = new Date("2026-11-25T10:00:00Z");
    const first = await startTestService(provider, {}, () => now);
    let second: TestService | undefined;
    try {
      const active = (await internal(first).get("/v1/apis/h7/tokens").expect(200)).body.items[0];
      const { body: created } = await internal(first).post("/v1/apis/h7/tokens", {}).expect(201);
      await internal(first).post(`/v1/apis/h7/tokens/${created.id}/activate?force=true`, {}).expect(200);
      now = new Date(now.getTime() + 31 * MINUTE);
      await first.tokenAdmin.expireDue("h7");
      second = await startTestService(provider, {}, () => now, first.testDatabase); // H7_TOKEN is still TEST_TOKEN
      const warning = second.logs
        .map((line) => JSON.parse(line))
        .find((line) => line.level === "warn" && /H7_TOKEN/.test(line.msg));
      expect(warning).toMatchObject({
        api: "h7",
        tokenId: active.id,
        status: "expired",
        msg: expect.stringContaining("expired token"),
      });
      const status = (await internal(second).get("/v1/apis").expect(200)).body.items[0];
      expect(status).toMatchObject({
        status: "green",
        warnings: [
          expect.objectContaining({ code: "configured_token_retired", message: expect.stringContaining("H7_TOKEN") }),
        ],
      });
      expect(second.logText()).not.toContain(TEST_TOKEN);
    } finally {
      await second?.stop();
      await first.stop();
    }
  }, 60_000);
});
