import { asBytes, errorMessage, responseMessage } from "../messages/messages";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";

describe.each(databaseProviders())("quarantine on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider, { MAX_BODY_BYTES: "4096" });
  }, 60_000);
  afterAll(() => service?.stop());

  const post = (path: string, body: unknown, options?: Parameters<typeof postCallback>[3]) =>
    postCallback(service.publicApp, path, body, options);
  const accept = (id: number, body: object, actor = "Camille (support)") =>
    internal(service).post(`/v1/quarantine/${id}/accept`, body).set("X-Actor", actor);

  test("a body refused for its schema is listed, described and kept byte for byte", async () => {
    const text = JSON.stringify({ ...errorMessage({ lrn: "LRN-Q1" }), error: "déjà vu" });
    const { body: refused } = await post(paths.error, text).expect(400);
    const { body: page } = await internal(service).get("/v1/quarantine?reason=invalid_schema").expect(200);
    expect(page.items[0]).toMatchObject({
      id: refused.quarantineId,
      reason: "invalid_schema",
      channel: "declaration_error",
      acceptedAt: null,
      messageRowId: null,
    });
    expect(page.items[0]).not.toHaveProperty("rawBody");
    const { body: detail } = await internal(service).get(`/v1/quarantine/${refused.quarantineId}`).expect(200);
    expect(detail).toMatchObject({
      pathParams: {},
      headers: expect.objectContaining({ "content-type": "application/json" }),
      detail: { issues: [expect.objectContaining({ path: "error" })] },
    });
    expect(detail.headers).not.toHaveProperty("authorization");
    const raw = await internal(service)
      .get(`/v1/quarantine/${refused.quarantineId}/raw`)
      .buffer(true)
      .parse(asBytes)
      .expect(200);
    expect((raw.body as Buffer).equals(Buffer.from(text, "utf8"))).toBe(true);
  });

  test("the list filters by reason and pages newest first with its own cursor", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.unshift((await post(paths.error, `{not json ${i}`, {}).expect(400)).body.quarantineId); // distinct: identical bodies are kept once
    const first = (await internal(service).get("/v1/quarantine?reason=invalid_json&limit=2").expect(200)).body;
    const second = (
      await internal(service).get(`/v1/quarantine?reason=invalid_json&limit=2&cursor=${first.nextCursor}`).expect(200)
    ).body;
    expect([...first.items, ...second.items].map((item: { id: number }) => item.id)).toEqual(ids);
    expect(second.nextCursor).toBeNull();
    const messageCursor = Buffer.from(`m${ids[0]}`).toString("base64url");
    const refused = await internal(service).get(`/v1/quarantine?cursor=${messageCursor}`).expect(400);
    expect(refused.body.issues).toEqual([expect.objectContaining({ path: "cursor" })]);
    const badReason = await internal(service).get("/v1/quarantine?reason=bored").expect(400);
    expect(badReason.body.issues).toEqual([expect.objectContaining({ path: "reason" })]);
  });

  test("accepting a quarantined body stores it as a message, with who accepted it and why, once", async () => {
    const message = {
      ...responseMessage({ customsDeclarationReference: "CDR-Q2", state: "ACC" }),
      dutiesAndTaxes: "missing",
    };
    const { body: refused } = await post(paths.response("CDR-Q2"), message).expect(400);
    const { body: stored } = await accept(refused.quarantineId, {
      reason: "Douane confirmed the amounts by phone",
    }).expect(201);
    expect(stored).toMatchObject({
      messageId: message.header.messageId,
      channel: "declaration_response",
      customsDeclarationReference: "CDR-Q2",
      state: "ACC",
      validation: "invalid",
      findings: [expect.objectContaining({ path: "dutiesAndTaxes", severity: "error" })],
      acceptedBy: expect.stringMatching(/^Camille \(support\) \(credential [^)]+\)$/),
      acceptedReason: "Douane confirmed the amounts by phone",
      quarantineId: refused.quarantineId,
      payload: message,
    });
    const { body: quarantined } = await internal(service).get(`/v1/quarantine/${refused.quarantineId}`).expect(200);
    expect(quarantined).toMatchObject({
      acceptedAt: expect.any(String),
      acceptedBy: stored.acceptedBy,
      messageRowId: stored.id,
    });
    const again = await accept(refused.quarantineId, { reason: "twice" }).expect(409);
    expect(again.body).toMatchObject({ error: "already_accepted", messageRowId: stored.id });
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(1);
  });

  test("two people accepting the same body at once store one message", async () => {
    const { body: refused } = await post(paths.error, {
      header: { messageDateTime: "2024-02-01T10:00:00Z[UTC]" },
    }).expect(400);
    const answers = await Promise.all([
      accept(refused.quarantineId, { reason: "a", messageId: "manual-race-a" }),
      accept(refused.quarantineId, { reason: "b", messageId: "manual-race-b" }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(await service.db.message.count({ where: { quarantineId: refused.quarantineId } })).toBe(1);
  });

  test("a conflicting body cannot replace the message Douane sent first", async () => {
    const first = errorMessage({ lrn: "LRN-FIRST" });
    const { body: stored } = await post(paths.error, first).expect(200);
    const { body: conflict } = await post(paths.error, {
      ...first,
      declaration: { ...first.declaration, lrn: "LRN-SECOND" },
    }).expect(200);
    const refused = await accept(conflict.quarantineId, { reason: "the second one is right" }).expect(409);
    expect(refused.body).toMatchObject({ error: "message_exists", messageRowId: stored.id });
    const { body: quarantined } = await internal(service).get(`/v1/quarantine/${conflict.quarantineId}`).expect(200);
    expect(quarantined).toMatchObject({ reason: "conflict", acceptedAt: null, messageRowId: null });
    expect((await internal(service).get(`/v1/messages/${stored.id}`).expect(200)).body.lrn).toBe("LRN-FIRST");
  });

  test("a body without header.messageId is accepted only under a messageId given by the person accepting it", async () => {
    const text = JSON.stringify({
      header: { messageDateTime: "2024-02-01T10:00:00+01:00[Europe/Paris]" },
      declaration: { lrn: "LRN-NOID" },
    });
    const { body: refused } = await post(paths.error, text).expect(400);
    const missing = await accept(refused.quarantineId, { reason: "no id" }).expect(400);
    expect(missing.body).toMatchObject({
      error: "invalid_body",
      issues: [{ path: "messageId", message: expect.any(String) }],
    });
    const { body: stored } = await accept(refused.quarantineId, {
      reason: "ticket 1234",
      messageId: "manual-0001",
    }).expect(201);
    expect(stored).toMatchObject({
      messageId: "manual-0001",
      lrn: "LRN-NOID",
      messageDateTime: "2024-02-01T09:00:00.000Z",
    });
    const raw = await internal(service).get(`/v1/messages/${stored.id}/raw`).buffer(true).parse(asBytes).expect(200);
    expect((raw.body as Buffer).equals(Buffer.from(text))).toBe(true);
  });

  test.each(["manual\u0000nul", "manual-\ud800-lone"])(
    "a messageId the intake would refuse (%j) is refused with 400 naming it, and nothing is stored",
    async (messageId) => {
      const text = JSON.stringify({
        header: { messageDateTime: "2024-02-01T10:00:00+01:00[Europe/Paris]" },
        declaration: { lrn: "LRN-BADID" },
      });
      const { body: refused } = await post(paths.error, text).expect(400);
      const answer = await accept(refused.quarantineId, { reason: "ticket 99", messageId }).expect(400);
      expect(answer.body).toMatchObject({
        error: "invalid_body",
        issues: [{ path: "messageId", message: expect.stringContaining("U+0000") }],
      });
      expect(await service.db.message.count({ where: { quarantineId: refused.quarantineId } })).toBe(0);
    },
  );

  test("a messageId other than the body's own is refused", async () => {
    const message = { ...errorMessage(), error: null };
    const { body: refused } = await post(paths.error, message).expect(400);
    const answer = await accept(refused.quarantineId, { reason: "rename", messageId: "something-else" }).expect(400);
    expect(answer.body.issues).toEqual([expect.objectContaining({ path: "messageId" })]);
  });

  test("a body that was not JSON is stored as it came, marked invalid", async () => {
    const { body: refused } = await post(paths.response("CDR-TEXT"), "plain text, not JSON", {
      contentType: "text/plain",
    }).expect(415);
    const { body: stored } = await accept(refused.quarantineId, {
      reason: "kept for the record",
      messageId: "manual-text-1",
    }).expect(201);
    expect(stored).toMatchObject({
      validation: "invalid",
      payload: null,
      contentType: "text/plain",
      customsDeclarationReference: "CDR-TEXT",
    });
    const raw = await internal(service).get(`/v1/messages/${stored.id}/raw`).expect(200);
    expect(raw.headers["content-type"]).toBe("text/plain");
    expect(raw.text).toBe("plain text, not JSON");
  });

  test("a body too large to be kept cannot be accepted; an unknown id is 404; a reason is required", async () => {
    const { body: refused } = await post(paths.error, { ...errorMessage(), padding: "x".repeat(5000) }).expect(413);
    expect(refused.error).toBe("payload_too_large");
    const tooLarge = await service.db.quarantinedBody.findFirstOrThrow({ where: { reason: "too_large" } });
    const answer = await accept(tooLarge.id, { reason: "please", messageId: "manual-big" }).expect(409);
    expect(answer.body.error).toBe("body_not_kept");
    await accept(999999, { reason: "ghost" }).expect(404);
    await internal(service).get("/v1/quarantine/999999").expect(404);
    await internal(service).get("/v1/quarantine/999999/raw").expect(404);
    const noReason = await accept(tooLarge.id, { reason: "  " }).expect(400);
    expect(noReason.body).toMatchObject({
      error: "invalid_body",
      issues: [expect.objectContaining({ path: "reason" })],
    });
  });
});
