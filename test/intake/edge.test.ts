import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("H7_TOKEN read from a secret file on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    // As such a token often comes: with a trailing newline (and here stray spaces).
    service = await startTestService(provider, { H7_TOKEN: `  ${TEST_TOKEN}\n` });
  }, 60_000);
  afterAll(() => service?.stop());

  test("an H7_TOKEN configured with a trailing newline and spaces accepts callbacks presenting the token", async () => {
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), {
      token: ` ${TEST_TOKEN}`,
    }).expect(200);
  });
});

describe.each(databaseProviders())("the Douane-facing edge on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  const bytesOf = (message: object) => Buffer.from(JSON.stringify(message));
  const kept = async (quarantineId: unknown) =>
    service.db.quarantinedBody.findUniqueOrThrow({ where: { id: quarantineId as number } });

  describe("content encodings", () => {
    test.each(["gzip", "zstd", "br", "deflate", "x-unknown"])(
      "a body labelled Content-Encoding: %s is refused with 415 and kept in quarantine as received",
      async (encoding) => {
        const message = withMessageId(errorH7Example);
        const sent = bytesOf(message); // plain JSON under a label that says otherwise
        const answer = await postCallback(service.publicApp, paths.error, sent)
          .set("Content-Encoding", encoding)
          .expect(415);
        expect(answer.body.error).toBe("unsupported_content_encoding");
        const row = await kept(answer.body.quarantineId);
        expect(row).toMatchObject({ reason: "unsupported_content_encoding", messageId: message.header.messageId });
        expect(Buffer.from(row.rawBody).equals(sent)).toBe(true);
        expect(JSON.parse(row.headers)["content-encoding"]).toBe(encoding);
        expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
      },
    );

    test("a valid gzip body is refused with 415 and kept in quarantine as the compressed bytes on the wire", async () => {
      const message = withMessageId(errorH7Example);
      const sent = gzipSync(bytesOf(message));
      const answer = await postCallback(service.publicApp, paths.error, sent)
        .set("Content-Encoding", "gzip")
        .expect(415);
      const row = await kept(answer.body.quarantineId);
      expect(Buffer.from(row.rawBody).equals(sent)).toBe(true);
      expect(row.bodySha256).toBe(createHash("sha256").update(sent).digest("hex"));
      expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
    });

    test("Content-Encoding: identity is plain bytes and stored", async () => {
      await postCallback(service.publicApp, paths.error, bytesOf(withMessageId(errorH7Example)))
        .set("Content-Encoding", "identity")
        .expect(200);
    });
  });

  describe("repeated member names", () => {
    const messageId = () => withMessageId(errorH7Example).header.messageId;
    test.each([
      [
        "header.messageId",
        (id: string) =>
          `{"header":{"messageId":"${id}","messageDateTime":"2020-06-12T05:36:30-05:00[US/Central]","messageId":"${id}-other"},"error":[]}`,
      ],
      [
        "header (at the top)",
        (id: string) => `{"header":{"messageId":"${id}"},"error":[],"header":{"messageId":"${id}-other"}}`,
      ],
      [
        "error.1.errorCode",
        (id: string) =>
          `{"header":{"messageId":"${id}","messageDateTime":"2020-06-12T05:36:30-05:00[US/Central]"},"error":[{"errorCode":"A"},{"errorCode":"A","errorCode":"B"}]}`,
      ],
      [
        "header.messageId (one spelt with an escape)",
        (id: string) => `{"header":{"messageId":"${id}","message\\u0049d":"x","messag\\u0065Id":"${id}"},"error":[]}`,
      ],
    ])("a body naming %s twice is refused with 400 naming it, and kept in quarantine", async (named, body) => {
      const text = body(messageId());
      const answer = await postCallback(service.publicApp, paths.error, text).expect(400);
      const path = named.split(" ")[0];
      expect(answer.body).toMatchObject({ error: "invalid_json", path, member: path.split(".").pop() });
      expect(answer.body.message).toContain(`"${path}"`);
      const row = await kept(answer.body.quarantineId);
      expect(row.reason).toBe("invalid_json");
      expect(Buffer.from(row.rawBody).toString("utf8")).toBe(text);
    });

    test("the same member name in different objects, and names differing only in case, are stored", async () => {
      const id = messageId();
      const text = `{"header":{"messageId":"${id}","messageDateTime":"2020-06-12T05:36:30-05:00[US/Central]","MessageId":"x"},"error":[{"errorCode":"A"},{"errorCode":"B","x":{"errorCode":"C"}}]}`;
      await postCallback(service.publicApp, paths.error, text).expect(200);
    });
  });

  test("the base path matches in its exact case: /DH7/... is no H7 endpoint and stores nothing", async () => {
    const message = withMessageId(errorH7Example);
    await postCallback(service.publicApp, paths.error.replace("/dh7/", "/DH7/"), message).expect(404);
    await postCallback(service.publicApp, paths.error.replace("/dh7/", "/Dh7/"), message).expect(404);
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
    expect(await service.db.quarantinedBody.count({ where: { messageId: message.header.messageId } })).toBe(0);
  });

  test("a query does not change where a call goes: the base path itself, with a query or not, is the unknown channel at /", async () => {
    for (const path of ["/dh7", "/dh7/", "/dh7?x=1", "/dh7?%", "/dh7/?declarations/erreurs"]) {
      const message = withMessageId(errorH7Example);
      const answer = await postCallback(service.publicApp, path, message);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      const row = await service.db.message.findUniqueOrThrow({ where: { id: answer.body.id as number } });
      expect({ path, channel: row.channel, pathParams: JSON.parse(row.pathParams) }).toEqual({
        path,
        channel: "unknown",
        pathParams: { path: "/" },
      });
    }
  });
});
