import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("intake options on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider, {
      VALIDATION_MODE: "flag",
      MAX_BODY_BYTES: "4096",
      H7_AUTH_HEADER: "X-Douane-Token",
      H7_BASE_PATH: "/edi/dh7",
    });
  }, 60_000);
  afterAll(() => service?.stop());

  const post = (path: string, body: unknown, options: Parameters<typeof postCallback>[3] = {}) =>
    postCallback(service.publicApp, `/edi${path}`, body, { header: "x-douane-token", ...options });

  test("the token is read whole from the configured header", async () => {
    await post(paths.error, withMessageId(errorH7Example)).expect(200);
  });

  test("with another header configured, the Authorization header is not enough", async () => {
    await post(paths.error, withMessageId(errorH7Example), { header: "authorization" }).expect(401);
  });

  test("with another header configured, a Bearer prefix is part of the value and so refused", async () => {
    await post(paths.error, withMessageId(errorH7Example), { token: `Bearer ${TEST_TOKEN}` }).expect(401);
  });

  test("the default base path is not served when another is configured", async () => {
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), {
      header: "x-douane-token",
    }).expect(404);
  });

  test("in flag mode an invalid message is acknowledged and stored marked invalid with its findings", async () => {
    const message = withMessageId(errorH7Example);
    const invalid = { ...message, declaration: { lrn: "L".repeat(30) } };
    const answer = await post(paths.error, invalid).expect(200);
    expect(answer.body.duplicate).toBe(false);
    const row = await service.db.message.findUniqueOrThrow({
      where: { api_messageId: { api: "h7", messageId: message.header.messageId } },
    });
    expect(row.validation).toBe("invalid");
    expect(JSON.parse(row.findings)).toEqual([expect.objectContaining({ path: "declaration.lrn", severity: "error" })]);
  });

  test("in flag mode a body without messageId is still refused", async () => {
    const answer = await post(paths.error, { error: [] }).expect(400);
    expect(answer.body.error).toBe("missing_message_id");
  });

  test("a body over MAX_BODY_BYTES gets 413, stores no message, and its arrival is recorded in quarantine", async () => {
    const message = withMessageId(errorH7Example);
    const big = { ...message, error: Array.from({ length: 100 }, () => errorH7Example.error[0]) };
    const answer = await post(paths.error, big).expect(413);
    expect(answer.body.error).toBe("payload_too_large");
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
    const kept = await service.db.quarantinedBody.findFirstOrThrow({ where: { reason: "too_large" } });
    expect(kept.rawBody.length).toBe(0);
    expect(JSON.parse(kept.detail).contentLength).toBe(String(Buffer.byteLength(JSON.stringify(big))));
  });

  test("the server keeps serving after a refused oversized body", async () => {
    await post(paths.error, "x".repeat(10_000)).expect(413);
    await post(paths.error, withMessageId(errorH7Example)).expect(200);
  });
});
