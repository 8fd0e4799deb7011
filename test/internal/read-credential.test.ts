import request from "supertest";
import { databaseProviders } from "../support/databases";
import { INTERNAL_TOKEN, startTestService } from "../support/service";

const READ_TOKEN = "read-only-token-Zr8pQ2wX5nB7";

describe.each(databaseProviders())("the read-only internal credential on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService(provider, { INTERNAL_READ_TOKEN: READ_TOKEN });
  }, 60_000);
  afterAll(() => service?.stop());

  const as = (token: string) => ({
    get: (path: string) => request(service.internalApp!).get(path).set("Authorization", `Bearer ${token}`),
    post: (path: string, body: object = {}) =>
      request(service.internalApp!).post(path).set("Authorization", `Bearer ${token}`).send(body),
    delete: (path: string) => request(service.internalApp!).delete(path).set("Authorization", `Bearer ${token}`),
  });

  test("reads every GET route and /metrics", async () => {
    for (const path of [
      "/v1/apis",
      "/v1/messages",
      "/v1/quarantine",
      "/v1/apis/h7/tokens",
      "/v1/apis/h7/tokens/events",
      "/v1/openapi.json",
    ]) {
      expect({ path, status: (await as(READ_TOKEN).get(path)).status }).toEqual({ path, status: 200 });
    }
    const metrics = await as(READ_TOKEN).get("/metrics").expect(200);
    expect(metrics.text).toContain("receiver_quarantine_rows");
  });

  test("a write with it is refused with 403 and a clear error code, and changes nothing", async () => {
    const tokensBefore = await service.db.apiToken.count();
    const rotate = await as(READ_TOKEN).post("/v1/apis/h7/tokens").expect(403);
    expect(rotate.body).toEqual({
      error: "read_only_credential",
      message: expect.stringContaining("INTERNAL_API_TOKEN"),
    });
    expect(rotate.body.message).not.toContain(READ_TOKEN);
    await as(READ_TOKEN).post("/v1/quarantine/1/dismiss", { reason: "no" }).expect(403);
    await as(READ_TOKEN).delete("/v1/apis/h7/tokens/1").expect(403);
    expect(await service.db.apiToken.count()).toBe(tokensBefore);
    await as(INTERNAL_TOKEN).post("/v1/apis/h7/tokens").expect(201); // the admin credential still writes
  });

  test("an unknown credential is 401, as before", async () => {
    await as("unknown-token-0000000000000").get("/v1/apis").expect(401);
  });
});

test.each(databaseProviders())(
  "with only INTERNAL_READ_TOKEN set the internal listener is on (%s)",
  async (provider) => {
    const service = await startTestService(provider, { INTERNAL_API_TOKEN: "", INTERNAL_READ_TOKEN: READ_TOKEN });
    try {
      expect(service.internalApp).not.toBeNull();
      await request(service.internalApp!).get("/v1/apis").set("Authorization", `Bearer ${READ_TOKEN}`).expect(200);
      await request(service.internalApp!).get("/v1/apis").set("Authorization", `Bearer ${INTERNAL_TOKEN}`).expect(401);
    } finally {
      await service.stop();
    }
  },
  60_000,
);
