import request from "supertest";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import {
  INTERNAL_TOKEN,
  internal,
  postCallback,
  startTestService,
  TEST_TOKEN,
  type TestService,
} from "../support/service";

describe.each(databaseProviders())("health, metrics and logs on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  test("both listeners report live and ready, with what readiness checked", async () => {
    for (const app of [service.publicApp, service.internalApp!]) {
      await request(app).get("/health/live").expect(200, { status: "ok" });
      const ready = await request(app).get("/health/ready").expect(200);
      expect(ready.body).toEqual({
        status: "ok",
        checks: { database: true, migrations: true, writes: true, tokens: true },
      });
    }
  });

  test("metrics count callbacks by outcome, quarantine, token use by fingerprint and commit latency", async () => {
    const message = withMessageId(errorH7Example);
    await postCallback(service.publicApp, paths.error, message).expect(200);
    await postCallback(service.publicApp, paths.error, message).expect(200);
    await postCallback(service.publicApp, paths.error, { ...message, error: [] }).expect(200);
    await postCallback(service.publicApp, paths.error, "{").expect(400);
    await request(service.internalApp!).get("/metrics").expect(401);
    const text = (await internal(service).get("/metrics").expect(200)).text;
    const fingerprint = (await service.db.apiToken.findFirstOrThrow()).fingerprint;
    for (const outcome of ["stored", "duplicate", "conflict", "refused_invalid_json"]) {
      expect(text).toMatch(
        new RegExp(`receiver_callbacks_total\\{api="h7",channel="declaration_error",outcome="${outcome}"\\} 1`),
      );
    }
    expect(text).toMatch(/receiver_quarantined_total\{api="h7",reason="conflict"\} 1/);
    expect(text).toMatch(/receiver_quarantine_rows\{api="h7"\} 2/);
    expect(text).toContain(`receiver_token_uses_total{api="h7",fingerprint="${fingerprint}",status="active"} 4`);
    expect(text).toMatch(/receiver_commit_duration_seconds_count [1-9]/);
    expect(text).not.toContain(TEST_TOKEN);
    expect(text).not.toContain(INTERNAL_TOKEN);
  });

  test("each answered callback is one log line with request id, api, base path, channel, messageId, status and latency", async () => {
    const message = withMessageId(errorH7Example);
    const answer = await postCallback(service.publicApp, paths.error, message)
      .set("X-Request-Id", "douane-req-42")
      .expect(200);
    expect(answer.headers["x-request-id"]).toBe("douane-req-42");
    const line = service.logs.map((text) => JSON.parse(text)).find((entry) => entry.req?.id === "douane-req-42");
    expect(line).toMatchObject({
      listener: "public",
      api: "h7",
      basePath: "/dh7",
      channel: "declaration_error",
      messageId: message.header.messageId,
      outcome: "stored",
      tokenFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(line)).not.toContain(TEST_TOKEN);
  });

  test("a request id that could forge log lines is replaced", async () => {
    const answer = await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example))
      .set("X-Request-Id", 'a b"}')
      .expect(200);
    expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("after every scenario of this file, no log line holds a token", () => {
    expect(service.logs.length).toBeGreaterThan(5);
    expect(service.logText()).not.toContain(TEST_TOKEN);
    expect(service.logText()).not.toContain(INTERNAL_TOKEN);
  });
});
