import { createHash } from "node:crypto";
import request from "supertest";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, registrationH7Example, responseH7Example, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("intake on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  const post = (path: string, body: unknown, options?: Parameters<typeof postCallback>[3]) =>
    postCallback(service.publicApp, path, body, options);
  const messagesWith = (messageId: string) => service.db.message.findMany({ where: { messageId } });

  test("the spec's Error_H7 example is stored with its keys and acknowledged", async () => {
    const answer = await post(paths.error, errorH7Example).expect(200);
    expect(answer.body).toEqual({
      id: expect.any(Number),
      messageId: errorH7Example.header.messageId,
      duplicate: false,
    });
    const [row] = await messagesWith(errorH7Example.header.messageId);
    expect(row).toMatchObject({
      id: answer.body.id,
      api: "h7",
      channel: "declaration_error",
      validation: "valid",
      lrn: "TEST123456",
      mrn: "15FR9876AB889012B5",
      customsDeclarationReference: "228231995374",
      operatorRequestReference: "TEST123456",
      messageDateTimeRaw: "2020-06-12T05:36:30-05:00[US/Central]",
      messageDateTime: new Date("2020-06-12T10:36:30Z"),
      contentType: "application/json",
    });
    expect(Buffer.from(row.rawBody).toString("utf8")).toBe(JSON.stringify(errorH7Example));
  });

  test("the spec's Response_Registration_H7 example is stored, its empty customsRequestReference noted", async () => {
    const message = withMessageId(registrationH7Example);
    await post(paths.registration("REQ-77"), message).expect(200);
    const [row] = await messagesWith(message.header.messageId);
    expect(row).toMatchObject({
      channel: "request_registration",
      validation: "valid",
      operatorRequestReference: "OP1234",
      customsRequestReference: "REQ-77",
      lrn: "123456",
      mrn: "19FR091000000064A2",
      customsDeclarationReference: "2282319",
    });
    expect(JSON.parse(row.pathParams)).toEqual({ customsRequestReference: "REQ-77" });
    expect(JSON.parse(row.findings)).toEqual([
      { path: "request.customsRequestReference", message: expect.stringContaining("REQ-77"), severity: "warning" },
    ]);
  });

  test("a Response_H7 is stored with its declaration state and an unpublished item field kept", async () => {
    const message = withMessageId(responseH7Example);
    await post(paths.response("228231995374"), message).expect(200);
    const [row] = await messagesWith(message.header.messageId);
    expect(row).toMatchObject({
      channel: "declaration_response",
      validation: "valid",
      state: "ACC",
      lrn: "LRN2021000001",
      findings: "[]",
    });
    expect(JSON.parse(Buffer.from(row.rawBody).toString("utf8")).dutiesAndTaxes.itemsTaxation[0].taxBase).toBe(120.4);
  });

  test("a Response_H7 whose body names another declaration than its path is stored with a finding", async () => {
    const message = withMessageId(responseH7Example);
    await post(paths.response("OTHER1"), message).expect(200);
    const [row] = await messagesWith(message.header.messageId);
    expect(row.validation).toBe("valid");
    expect(JSON.parse(row.findings)).toEqual([
      expect.objectContaining({ path: "header.customsDeclarationReference", severity: "warning" }),
    ]);
  });

  test("the raw body is kept byte for byte, whitespace and escapes included", async () => {
    const messageId = `raw-${Date.now()}`;
    const text = `{ "header" : {"messageDateTime":"2020-06-12T05:36:30+02:00[Europe/Paris]", "messageId":"${messageId}"},\n "error":[{"errorDescription":"Montant \\u00e9rron\u00e9 ✓"}] }`;
    await post(paths.error, text).expect(200);
    const [row] = await messagesWith(messageId);
    expect(Buffer.from(row.rawBody).equals(Buffer.from(text, "utf8"))).toBe(true);
    expect(row.bodySha256).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
  });

  test("a body that starts with a UTF-8 byte order mark is accepted and kept with it", async () => {
    const message = withMessageId(errorH7Example);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(message))]);
    await post(paths.error, bytes).expect(200);
    const [row] = await messagesWith(message.header.messageId);
    expect(Buffer.from(row.rawBody).equals(bytes)).toBe(true);
  });

  test("a duplicate messageId is acknowledged and stored once", async () => {
    const message = withMessageId(errorH7Example);
    const first = await post(paths.error, message).expect(200);
    const second = await post(paths.error, message).expect(200);
    expect(second.body).toEqual({ id: first.body.id, messageId: message.header.messageId, duplicate: true });
    expect(await messagesWith(message.header.messageId)).toHaveLength(1);
  });

  test("50 concurrent copies of one message are all acknowledged and stored once", async () => {
    const message = withMessageId(errorH7Example);
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(paths.error, message)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(await messagesWith(message.header.messageId)).toHaveLength(1);
  });

  test("concurrent distinct messages are each stored under their own id", async () => {
    const messages = Array.from({ length: 40 }, () => withMessageId(errorH7Example));
    const answers = await Promise.all(messages.map((message) => post(paths.error, message)));
    expect(answers.every((answer) => answer.status === 200 && answer.body.duplicate === false)).toBe(true);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(40);
    const stored = await service.db.message.count({
      where: { messageId: { in: messages.map((m) => m.header.messageId) } },
    });
    expect(stored).toBe(40);
  });

  test("the same messageId with another body never overwrites: the new body goes to quarantine as a conflict", async () => {
    const message = withMessageId(errorH7Example);
    const first = await post(paths.error, message).expect(200);
    const changed = { ...message, error: [{ errorType: 16, errorDescription: "autre texte" }] };
    const second = await post(paths.error, changed).expect(200);
    expect(second.body).toEqual({
      id: first.body.id,
      messageId: message.header.messageId,
      duplicate: true,
      conflict: true,
      quarantineId: expect.any(Number),
    });
    const [row] = await messagesWith(message.header.messageId);
    expect(Buffer.from(row.rawBody).toString()).toBe(JSON.stringify(message));
    const kept = await service.db.quarantinedBody.findUniqueOrThrow({ where: { id: second.body.quarantineId } });
    expect(kept).toMatchObject({ reason: "conflict", messageId: message.header.messageId });
    expect(Buffer.from(kept.rawBody).toString()).toBe(JSON.stringify(changed));
  });

  test("a POST to a path no channel publishes is kept as channel unknown with its references", async () => {
    const message = {
      header: { messageDateTime: "2021-01-01T00:00:00Z", messageId: `inv-${Date.now()}` },
      customsRequestReference: "CRR-9",
      declarations: [{ lrn: "L9", state: "INV" }],
    };
    await post("/dh7/demandes/CRR-9/invalidation", message).expect(200);
    const [row] = await messagesWith(message.header.messageId);
    expect(row).toMatchObject({
      channel: "unknown",
      customsRequestReference: "CRR-9",
      lrn: "L9",
      state: "INV",
      validation: "unchecked",
    });
    expect(JSON.parse(row.pathParams)).toEqual({ path: "/demandes/CRR-9/invalidation" });
  });

  test("the credential headers are not stored, the others are", async () => {
    const message = withMessageId(errorH7Example);
    await post(paths.error, message).set("X-Correlation-Id", "corr-1").set("Cookie", "s=1").expect(200);
    const [row] = await messagesWith(message.header.messageId);
    const headers = JSON.parse(row.headers);
    expect(headers["x-correlation-id"]).toBe("corr-1");
    expect(headers).not.toHaveProperty("authorization");
    expect(headers).not.toHaveProperty("cookie");
    expect(row.headers).not.toContain(TEST_TOKEN);
  });

  test("the message records the token that let it in", async () => {
    const message = withMessageId(errorH7Example);
    await post(paths.error, message).expect(200);
    const [row] = await messagesWith(message.header.messageId);
    const token = await service.db.apiToken.findFirstOrThrow({ where: { api: "h7", status: "active" } });
    expect(row.tokenId).toBe(token.id);
  });

  describe("authentication", () => {
    test.each([
      ["Bearer scheme", { token: TEST_TOKEN }],
      ["lower-case bearer scheme", { raw: `bearer ${TEST_TOKEN}` }],
      ["upper-case BEARER scheme", { raw: `BEARER ${TEST_TOKEN}` }],
      ["bare token", { raw: TEST_TOKEN }],
    ])("a callback with the token as %s is accepted", async (_name, how) => {
      const message = withMessageId(errorH7Example);
      const call = postCallback(service.publicApp, paths.error, message, { token: null });
      const value = "raw" in how ? how.raw : `Bearer ${how.token}`;
      await call.set("Authorization", value).expect(200);
    });

    test.each([
      ["no token", null],
      ["a wrong token", "wrong-token-wrong-token-wrong"],
      ["the token with one character changed", `${TEST_TOKEN.slice(0, -1)}X`],
    ])("a callback with %s gets 401 with a challenge and leaves no row", async (_name, token) => {
      const message = withMessageId(errorH7Example);
      const answer = await post(paths.error, message, { token }).expect(401);
      expect(answer.body.error).toBe("unauthorized");
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="h7"');
      expect(await messagesWith(message.header.messageId)).toHaveLength(0);
      expect(await service.db.quarantinedBody.count({ where: { messageId: message.header.messageId } })).toBe(0);
    });

    test("a refused token is never logged", async () => {
      await post(paths.error, errorH7Example, { token: "leaked-secret-value-000000" }).expect(401);
      expect(service.logText()).toContain('"authFailure":"invalid_token"');
      expect(service.logText()).not.toContain("leaked-secret-value-000000");
      expect(service.logText()).not.toContain(TEST_TOKEN);
    });
  });

  describe("refusals", () => {
    const quarantined = (reason: string) =>
      service.db.quarantinedBody.findFirstOrThrow({ where: { reason }, orderBy: { id: "desc" } });

    test("invalid JSON gets 400, changes no message, and is kept in quarantine", async () => {
      const before = await service.db.message.count();
      const answer = await post(paths.error, '{"header": {"messageId": "x"').expect(400);
      expect(answer.body).toMatchObject({ error: "invalid_json", quarantineId: expect.any(Number) });
      expect(await service.db.message.count()).toBe(before);
      const kept = await quarantined("invalid_json");
      expect(Buffer.from(kept.rawBody).toString()).toBe('{"header": {"messageId": "x"');
      expect(kept.tokenId).not.toBeNull();
    });

    test("a body that is not UTF-8 gets 400 invalid_utf8", async () => {
      const answer = await post(paths.error, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])).expect(400);
      expect(answer.body.error).toBe("invalid_utf8");
      expect(Buffer.from((await quarantined("invalid_utf8")).rawBody)).toEqual(
        Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      );
    });

    test("a body without header.messageId gets 400 and is kept", async () => {
      const { header, ...rest } = errorH7Example;
      const answer = await post(paths.error, { ...rest, header: { messageDateTime: header.messageDateTime } }).expect(
        400,
      );
      expect(answer.body.error).toBe("missing_message_id");
      await quarantined("missing_message_id");
    });

    test("a schema violation gets 400 with the field paths, and is kept in quarantine", async () => {
      const message = withMessageId(errorH7Example);
      const bad = { ...message, declaration: { ...message.declaration, mrn: "short" }, error: "not a list" };
      const answer = await post(paths.error, bad).expect(400);
      expect(answer.body.error).toBe("invalid_schema");
      expect(answer.body.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
        "declaration.mrn",
        "error",
      ]);
      expect(await messagesWith(message.header.messageId)).toHaveLength(0);
      const kept = await quarantined("invalid_schema");
      expect(kept.messageId).toBe(message.header.messageId);
      expect(JSON.parse(kept.detail).issues).toHaveLength(2);
    });

    test("a retry of an invalid message that ops accepted by hand is acknowledged as a duplicate", async () => {
      const message = withMessageId(errorH7Example);
      const invalid = { ...message, error: "not a list" };
      const refused = await post(paths.error, invalid).expect(400);
      const accepted = await internal(service)
        .post(`/v1/quarantine/${refused.body.quarantineId}/accept`, { reason: "checked with Douane" })
        .expect(201);
      const retried = await post(paths.error, invalid).expect(200);
      expect(retried.body).toEqual({ id: accepted.body.id, messageId: message.header.messageId, duplicate: true });
    });

    test("a date-time that is not Java's zoned form is a schema violation", async () => {
      const message = withMessageId(errorH7Example);
      message.header = { ...message.header, messageDateTime: "12/06/2020 05:36" };
      const answer = await post(paths.error, message).expect(400);
      expect(answer.body.issues).toEqual([
        { path: "header.messageDateTime", message: expect.stringContaining("date-time") },
      ]);
    });

    test.each(["text/plain", "application/xml", "application/json; charset=latin1"])(
      "content type %s gets 415 and the body is kept",
      async (contentType) => {
        const message = withMessageId(errorH7Example);
        const answer = await post(paths.error, message, { contentType }).expect(415);
        expect(answer.body.error).toBe("unsupported_content_type");
        const kept = await quarantined("unsupported_content_type");
        expect(kept).toMatchObject({ contentType, messageId: message.header.messageId });
      },
    );

    test("application/json with a UTF-8 charset is accepted", async () => {
      await post(paths.error, withMessageId(errorH7Example), { contentType: "application/json; charset=UTF-8" }).expect(
        200,
      );
    });

    test("a GET on a channel gets 405 with Allow: POST", async () => {
      const answer = await request(service.publicApp)
        .get(paths.error)
        .set("Authorization", `Bearer ${TEST_TOKEN}`)
        .expect(405);
      expect(answer.headers.allow).toBe("POST");
      expect(answer.body.error).toBe("method_not_allowed");
    });

    test("a path outside every base path gets 404", async () => {
      const answer = await postCallback(service.publicApp, "/elsewhere/declarations/erreurs", errorH7Example).expect(
        404,
      );
      expect(answer.body.error).toBe("not_found");
    });
  });
});
