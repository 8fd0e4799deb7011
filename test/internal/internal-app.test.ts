import request from "supertest";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("internal listener on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  test("without the internal credential every /v1 route gets 401", async () => {
    await request(service.internalApp!).get("/v1/messages/1").expect(401);
    await request(service.internalApp!).get("/v1/messages/1").set("Authorization", `Bearer ${TEST_TOKEN}`).expect(401);
    const answer = await request(service.internalApp!)
      .get("/v1/openapi.json")
      .set("Authorization", "Bearer wrong-internal-token-000")
      .expect(401);
    expect(answer.body.error).toBe("unauthorized");
  });

  test("the Douane-facing listener answers 404 for every /v1 path, even with a valid credential", async () => {
    await request(service.publicApp).get("/v1/messages/1").set("Authorization", `Bearer ${TEST_TOKEN}`).expect(404);
    await postCallback(service.publicApp, "/v1/messages", {}).expect(404);
  });

  test("a stored message is returned with its parsed payload; an unknown id is 404, a bad one 400", async () => {
    const message = withMessageId(errorH7Example);
    const { body } = await postCallback(service.publicApp, paths.error, message).expect(200);
    const answer = await internal(service).get(`/v1/messages/${body.id}`).expect(200);
    expect(answer.body).toMatchObject({
      id: body.id,
      messageId: message.header.messageId,
      channel: "declaration_error",
      payload: message,
    });
    await internal(service).get("/v1/messages/999999").expect(404);
    const bad = await internal(service).get("/v1/messages/abc").expect(400);
    expect(bad.body).toMatchObject({ error: "invalid_params", issues: [{ path: "id" }] });
  });

  test("a stored body nested too deep to serialise again is shown with payload null, its bytes still at /raw", async () => {
    const messageId = `deep-${Date.now()}`;
    const text = `{"header":{"messageDateTime":"2021-01-01T00:00:00Z","messageId":"${messageId}"},"x":${"[".repeat(6000)}${"]".repeat(6000)}}`;
    const { body } = await postCallback(service.publicApp, "/dh7/unpublished/channel", text).expect(200);
    const detail = await internal(service).get(`/v1/messages/${body.id}`).expect(200);
    expect(detail.body).toMatchObject({ messageId, payload: null });
    const raw = await internal(service)
      .get(`/v1/messages/${body.id}/raw`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => done(null, Buffer.concat(chunks)));
      });
    expect((raw.body as Buffer).toString()).toBe(text);
  });

  test("the OpenAPI document is 3.1 and lists itself", async () => {
    const { body } = await internal(service).get("/v1/openapi.json").expect(200);
    expect(body.openapi).toBe("3.1.0");
    expect(body.paths["/v1/openapi.json"].get).toBeDefined();
    expect(body.paths["/v1/messages/{id}"].get.parameters).toEqual([
      expect.objectContaining({ name: "id", in: "path", required: true }),
    ]);
  });

  test("health answers without a credential", async () => {
    await request(service.internalApp!).get("/health/ready").expect(200);
  });
});
