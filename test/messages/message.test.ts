import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/client";
import { bodyOf } from "../../src/messages/stored-body";
import { archiveMessages } from "../../src/upkeep/archive";
import { readArchive } from "../../src/upkeep/archive-file";
import { importArchive } from "../../src/upkeep/archive-import";
import { createTestDatabase, databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { asBytes, errorMessage, registrationMessage } from "./messages";

describe.each(databaseProviders())("one message on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  const raw = (id: number) => internal(service).get(`/v1/messages/${id}/raw`).buffer(true).parse(asBytes);

  test("the detail has the metadata, extracted keys, findings, headers and parsed payload", async () => {
    const message = registrationMessage({
      customsRequestReference: "REQ-D1",
      operatorRequestReference: "OP-D1",
      lrn: "LRN-D1",
      customsDeclarationReference: "CDR-D1",
    });
    const { body: ack } = await postCallback(service.publicApp, paths.registration("REQ-D1"), message)
      .set("X-Request-Id", "req-42")
      .expect(200);
    const { body } = await internal(service).get(`/v1/messages/${ack.id}`).expect(200);
    expect(body).toEqual({
      id: ack.id,
      api: "h7",
      channel: "request_registration",
      messageId: message.header.messageId,
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      validation: "valid",
      lrn: "LRN-D1",
      mrn: "21FR0000000000G0G0",
      customsDeclarationReference: "CDR-D1",
      customsRequestReference: "REQ-D1",
      operatorRequestReference: "OP-D1",
      state: null,
      messageDateTime: "2014-04-12T08:30:30.000Z",
      messageDateTimeRaw: "2014-04-12T03:30:30-05:00[US/Central]",
      tokenId: expect.any(Number),
      contentType: "application/json",
      bodySha256: createHash("sha256").update(JSON.stringify(message)).digest("hex"),
      acceptedBy: null,
      acceptedReason: null,
      quarantineId: null,
      simulated: false,
      findings: [],
      pathParams: { customsRequestReference: "REQ-D1" },
      declarations: [{ lrn: "LRN-D1", customsDeclarationReference: "CDR-D1", mrn: "21FR0000000000G0G0" }],
      headers: expect.objectContaining({ "x-request-id": "req-42" }),
      payload: message,
    });
    expect(body.headers).not.toHaveProperty("authorization");
  });

  test("/raw answers the exact bytes posted, non-ASCII text and odd spacing included, with their content type", async () => {
    const messageId = `raw-${Date.now()}`;
    const text = `{"header" :{"messageDateTime":"2020-06-12T05:36:30+02:00[Europe/Paris]","messageId":"${messageId}"},\n\t"declaration":{"lrn":"LRN-É"},"error":[{"errorType":1,"errorCode":"H7","errorPointer":"lrn","errorDescription":"Numéro déjà utilisé – « ✓ » 🇫🇷 \\u00e9"}]}`;
    const sent = Buffer.from(text, "utf8");
    const { body: ack } = await postCallback(service.publicApp, paths.error, sent, {
      contentType: "application/json; charset=UTF-8",
    }).expect(200);
    const answer = await raw(ack.id).expect(200);
    expect(answer.headers["content-type"]).toBe("application/json; charset=UTF-8");
    expect((answer.body as Buffer).equals(sent)).toBe(true);
    expect(answer.headers["content-length"]).toBe(String(sent.length));
    const { body: detail } = await internal(service).get(`/v1/messages/${ack.id}`).expect(200);
    expect(detail.lrn).toBe("LRN-É");
    expect(detail.payload.error[0].errorDescription).toBe("Numéro déjà utilisé – « ✓ » 🇫🇷 é");
  });

  test("a body of 64 KiB or more is stored compressed, and /raw, the detail, the feed and an archive give back the bytes as they came", async () => {
    const message = errorMessage({ lrn: "LRN-LARGE" });
    message.error = Array.from({ length: 600 }, (_, i) => ({ ...message.error[0], errorPointer: `item[${i}].é` }));
    const sent = Buffer.from(JSON.stringify(message, null, 1));
    expect(sent.length).toBeGreaterThanOrEqual(64 * 1024);
    const { body: ack } = await postCallback(service.publicApp, paths.error, sent).expect(200);

    const row = await service.db.message.findUniqueOrThrow({ where: { id: ack.id } });
    expect(row.rawBodyCompression).toBe("br");
    expect(row.rawBody.length).toBeLessThan(sent.length / 10);
    expect((await raw(ack.id).expect(200)).body.equals(sent)).toBe(true);
    const { body: detail } = await internal(service).get(`/v1/messages/${ack.id}`).expect(200);
    expect(detail.payload).toEqual(message);
    expect(detail).not.toHaveProperty("rawBodyCompression");
    const { body: feed } = await internal(service).get("/v1/feed?limit=100").expect(200);
    const event = feed.items.find((item: { data: { id: number } }) => item.data.id === ack.id);
    expect(event.data.payload).toEqual(message);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-large-body-"));
    const run = await archiveMessages(service.db, dir, new Date(Date.now() + 2 * 86_400_000));
    const archived = [];
    for (const part of run.parts) for await (const line of readArchive(path.join(dir, part.file))) archived.push(line);
    const inArchive = archived.find((line) => line.messageId === message.header.messageId)!;
    expect(Buffer.from(inArchive.rawBodyBase64, "base64").equals(sent)).toBe(true);
    expect(inArchive).not.toHaveProperty("rawBodyCompression");

    const other = await createTestDatabase(provider);
    const restored = await openDatabase(other.database);
    try {
      for (const part of run.parts) await importArchive(restored, path.join(dir, part.file));
      const imported = await restored.message.findUniqueOrThrow({
        where: { api_messageId: { api: "h7", messageId: message.header.messageId } },
      });
      expect(imported.rawBodyCompression).toBe("br");
      expect(imported.rawBody.length).toBeLessThan(sent.length / 10);
      expect(bodyOf(imported).equals(sent)).toBe(true);
    } finally {
      await restored.$disconnect();
      await other.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a body of 64 KiB or more accepted from quarantine is stored compressed too, and /raw gives it back as it came", async () => {
    const message = errorMessage({ lrn: "LRN-LARGE-Q" });
    message.error = Array.from({ length: 600 }, (_, i) => ({ ...message.error[0], errorPointer: `item[${i}]` }));
    const sent = Buffer.from(
      JSON.stringify({ ...message, error: [{ ...message.error[0], errorType: "x" }, ...message.error] }),
    );
    expect(sent.length).toBeGreaterThanOrEqual(64 * 1024);
    const { body: refused } = await postCallback(service.publicApp, paths.error, sent).expect(400);
    expect(refused.error).toBe("invalid_schema");

    const { body: stored } = await internal(service)
      .post(`/v1/quarantine/${refused.quarantineId}/accept`, { reason: "Douane confirmed the errors" })
      .set("X-Actor", "ops")
      .expect(201);
    const row = await service.db.message.findUniqueOrThrow({ where: { id: stored.id } });
    expect(row.rawBodyCompression).toBe("br");
    expect(row.rawBody.length).toBeLessThan(sent.length / 10);
    expect((await raw(stored.id).expect(200)).body.equals(sent)).toBe(true);
  });

  test("a body under 64 KiB is stored as it came", async () => {
    const sent = Buffer.from(JSON.stringify(errorMessage()));
    const { body: ack } = await postCallback(service.publicApp, paths.error, sent).expect(200);
    const row = await service.db.message.findUniqueOrThrow({ where: { id: ack.id } });
    expect(row.rawBodyCompression).toBeNull();
    expect(Buffer.from(row.rawBody).equals(sent)).toBe(true);
  });

  test("an unknown id is 404 and a malformed one 400, on the detail and on /raw", async () => {
    for (const path of ["/v1/messages/999999", "/v1/messages/999999/raw"]) {
      const answer = await internal(service).get(path).expect(404);
      expect(answer.body.error).toBe("not_found");
    }
    for (const path of ["/v1/messages/0", "/v1/messages/x1/raw"]) {
      const answer = await internal(service).get(path).expect(400);
      expect(answer.body).toMatchObject({ error: "invalid_params", issues: [expect.objectContaining({ path: "id" })] });
    }
  });
});
