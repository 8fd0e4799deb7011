import { responseMessage } from "../messages/messages";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { paths } from "../support/examples";
import { describeOnPostgres } from "../support/on-postgres";
import { internal, postCallback, startTestService } from "../support/service";
import { eventually, TestReceiver } from "./receiver";

describeOnPostgres("two replicas on one PostgreSQL", () => {
  let database: TestDatabase;
  let replicas: Awaited<ReturnType<typeof startTestService>>[] = [];
  const receiver = new TestReceiver();

  beforeAll(async () => {
    database = await createTestDatabase("postgresql");
    await receiver.start();
    const options = { delivery: { pollMs: 50 } };
    const first = await startTestService("postgresql", { DELIVERY_MAX_IN_FLIGHT: "4" }, undefined, database, options);
    const { body: destination } = await internal(first).post("/v1/destinations", { url: receiver.url }).expect(201);
    receiver.secrets = [destination.secret];
    replicas = [
      first,
      await startTestService("postgresql", { DELIVERY_MAX_IN_FLIGHT: "4" }, undefined, database, options),
    ];
  }, 60_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await receiver.stop();
    await database?.drop();
  });

  test("both write and deliver at once; a feed consumer and the receiver each see every message exactly once, in order", async () => {
    receiver.answer = () => ({ status: 200, delayMs: Math.floor(Math.random() * 15) });
    const declarations = Array.from({ length: 8 }, (_, i) => `CDR-REP${i}`);
    const perReplica = 60;
    const following = follow(perReplica * 2);
    const stored = await Promise.all(
      replicas.map(async (replica, r) => {
        const ids: number[] = [];
        const lanes = Array.from({ length: 6 }, async (_, lane) => {
          for (let i = lane; i < perReplica; i += 6) {
            const reference = declarations[(i + r) % declarations.length];
            const { body } = await postCallback(
              replica.publicApp,
              paths.response(reference),
              responseMessage({ customsDeclarationReference: reference }),
            ).expect(200);
            ids.push(body.id);
          }
        });
        await Promise.all(lanes);
        return ids;
      }),
    );
    const allIds = stored.flat().sort((a, b) => a - b);

    const fed = await following;
    expect(fed.map((item) => item.position)).toEqual(allIds.map((_, i) => i + 1)); // gap-free, no repeat, in order
    expect(fed.map((item) => item.id).sort((a, b) => a - b)).toEqual(allIds);

    await eventually(() => expect(receiver.accepted).toHaveLength(allIds.length), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    expect(receiver.received).toHaveLength(allIds.length);
    expect(receiver.accepted.map((r) => r.event.data.id).sort((a, b) => a - b)).toEqual(allIds);
    expect(receiver.concurrentRepeats).toEqual([]);
    expect(receiver.maxInFlight).toBeLessThanOrEqual(4);
    expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
    // per declaration, delivered in the order the feed (commit order) has them
    const positionOf = new Map(fed.map((item) => [item.id, item.position]));
    for (const reference of declarations) {
      const delivered = receiver.accepted
        .filter((r) => r.event.data.keys.customsDeclarationReference === reference)
        .map((r) => positionOf.get(r.event.data.id)!);
      expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    }
    const deliveries = await replicas[1].db.delivery.groupBy({ by: ["status"], _count: { _all: true } });
    expect(deliveries).toEqual([{ status: "delivered", _count: { _all: allIds.length } }]);
  }, 120_000);

  /** A consumer following the feed of replica 0 with long polls until it has `count` messages. */
  async function follow(count: number): Promise<{ position: number; id: number }[]> {
    const seen: { position: number; id: number }[] = [];
    let after = 0;
    const deadline = Date.now() + 60_000;
    while (seen.length < count && Date.now() < deadline) {
      const { body } = await internal(replicas[0]).get(`/v1/feed?after=${after}&limit=7&wait=2`).expect(200);
      for (const item of body.items) seen.push({ position: item.position, id: item.data.id });
      after = body.nextPosition;
    }
    return seen;
  }
});
