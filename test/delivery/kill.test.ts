import request from "supertest";
import { responseMessage } from "../messages/messages";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { paths } from "../support/examples";
import { type RunningServer, startServerProcess } from "../support/process";
import { INTERNAL_TOKEN, TEST_TOKEN } from "../support/service";
import { eventually, TestReceiver } from "./receiver";

describe("a service killed with SIGKILL during deliveries", () => {
  let testDatabase: TestDatabase;
  const receiver = new TestReceiver();
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    testDatabase = await createTestDatabase("sqlite");
    await receiver.start();
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill("SIGKILL");
    await receiver.stop();
    await testDatabase?.drop();
  });
  const start = async () => {
    const server = await startServerProcess({
      DATABASE_URL: testDatabase.database.url,
      H7_TOKEN: TEST_TOKEN,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      DELIVERY_TIMEOUT_SECONDS: "2",
      DELIVERY_MAX_IN_FLIGHT: "3",
    });
    servers.push(server);
    return server;
  };

  test("delivers everything after a restart, a repeat carrying the same webhook-id", async () => {
    const first = await start();
    const internalUrl = `http://127.0.0.1:${first.internalPort}`;
    const { body: destination } = await request(internalUrl)
      .post("/v1/destinations")
      .set("Authorization", `Bearer ${INTERNAL_TOKEN}`)
      .send({ url: receiver.url })
      .expect(201);
    receiver.secrets = [destination.secret];
    receiver.answer = () => ({ status: 200, delayMs: 1_000 });
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) {
      const reference = `CDR-K${i % 3}`;
      const { body } = await request(`http://127.0.0.1:${first.port}`)
        .post(paths.response(reference))
        .set("Authorization", `Bearer ${TEST_TOKEN}`)
        .set("Content-Type", "application/json")
        .send(JSON.stringify(responseMessage({ customsDeclarationReference: reference })))
        .expect(200);
      ids.push(body.id);
    }
    await eventually(() => receiver.inFlight > 0);
    first.child.kill("SIGKILL");
    await first.exited;

    receiver.answer = () => ({ status: 200 });
    await start();
    await eventually(
      () => expect(new Set(receiver.accepted.map((r) => r.event.data.id))).toEqual(new Set(ids)),
      60_000,
    );
    expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
    const idsByWebhookId = new Map<string, Set<number>>();
    for (const r of receiver.received)
      idsByWebhookId.set(
        String(r.headers["webhook-id"]),
        (idsByWebhookId.get(String(r.headers["webhook-id"])) ?? new Set()).add(r.event.data.id),
      );
    expect([...idsByWebhookId.values()].every((set) => set.size === 1)).toBe(true); // one webhook-id, one message
    expect(idsByWebhookId.size).toBe(ids.length); // a repeat is the same delivery, never a new one
  }, 90_000);
});
