import { responseMessage } from "../messages/messages";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";
import { eventually, TestReceiver } from "./receiver";

describe.each(databaseProviders())("webhook delivery on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let now: Date;
  const receiver = new TestReceiver();
  let destination: { id: number; secret: string };

  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(() => receiver.stop());
  beforeEach(async () => {
    now = new Date();
    receiver.received.length = 0;
    receiver.reset();
    receiver.answer = () => ({ status: 204 });
    service = await startTestServiceWith({ DELIVERY_MAX_IN_FLIGHT: "3" });
    destination = (await internal(service).post("/v1/destinations", { url: receiver.url }).expect(201)).body;
    receiver.secrets = [destination.secret];
  }, 60_000);
  afterEach(() => service?.stop());

  const startTestServiceWith = (env: Record<string, string>) =>
    startTestService(provider, env, () => now, undefined, {
      delivery: { pollMs: 40, timeoutMs: 500, random: () => 0.5 },
    });
  const store = async (reference: string, state = "ACC") => {
    const message = responseMessage({ customsDeclarationReference: reference, state });
    const { body } = await postCallback(service.publicApp, paths.response(reference), message).expect(200);
    return { id: body.id as number, messageId: message.header.messageId };
  };
  const deliveriesOf = (messageRowId: number) => service.db.delivery.findMany({ where: { messageRowId } });
  const attemptsOf = async (messageRowId: number) => {
    const [delivery] = await deliveriesOf(messageRowId);
    return service.db.deliveryAttempt.findMany({ where: { deliveryId: delivery.id }, orderBy: { id: "asc" } });
  };
  const settled = () =>
    eventually(async () => expect(await service.db.delivery.count({ where: { leaseOwner: { not: null } } })).toBe(0));
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));

  test("each stored message is POSTed once as a signed {type, timestamp, data} event that standardwebhooks verifies", async () => {
    const stored = [await store("CDR-S1"), await store("CDR-S2")];
    await eventually(() => expect(receiver.accepted).toHaveLength(2));
    for (const received of receiver.received) expect(received.verifiedBy).toEqual([0]);
    const first = receiver.received.find((r) => r.event.data.id === stored[0].id)!;
    const [delivery] = await deliveriesOf(stored[0].id);
    expect(first.headers["webhook-id"]).toBe(`dlv_${delivery.id}`);
    expect(first.event).toMatchObject({
      type: "h7.declaration_response",
      timestamp: expect.any(String),
      data: {
        id: stored[0].id,
        api: "h7",
        channel: "declaration_response",
        messageId: stored[0].messageId,
        validation: "valid",
        keys: expect.objectContaining({ customsDeclarationReference: "CDR-S1", state: "ACC" }),
        declarations: ["CDR-S1"],
        payload: expect.objectContaining({ header: expect.objectContaining({ messageId: stored[0].messageId }) }),
      },
    });
    await eventually(async () =>
      expect((await deliveriesOf(stored[1].id))[0]).toMatchObject({
        status: "delivered",
        attempts: 1,
        lastStatus: 204,
      }),
    );
    expect(await attemptsOf(stored[1].id)).toEqual([
      expect.objectContaining({ status: 204, error: null, durationMs: expect.any(Number) }),
    ]);
  });

  test("a failing destination is retried on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), every attempt recorded, then failed", async () => {
    receiver.answer = () => ({ status: 500, body: "x".repeat(5000) });
    const { id } = await store("CDR-R1");
    const schedule = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    for (const [i, step] of schedule.entries()) {
      const attempts = await eventually(async () => {
        const found = await attemptsOf(id);
        expect(found).toHaveLength(i + 1);
        return found;
      });
      const [delivery] = await deliveriesOf(id);
      await settled();
      expect(delivery.nextAttemptAt.getTime() - attempts[i].at.getTime()).toBe(step); // random() = 0.5: no jitter
      expect(attempts[i]).toMatchObject({ status: 500, response: "x".repeat(1024) });
      advance(step - 1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await attemptsOf(id)).toHaveLength(i + 1); // not before its time
      advance(1);
    }
    await eventually(async () =>
      expect((await deliveriesOf(id))[0]).toMatchObject({ status: "failed", attempts: 8, lastStatus: 500 }),
    );
    expect(receiver.received).toHaveLength(8);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
  });

  test("Retry-After on a 429 holds the next attempt back that long", async () => {
    receiver.answer = () => ({ status: 429, headers: { "retry-after": "120" } });
    const { id } = await store("CDR-RA");
    const [attempt] = await eventually(async () => {
      const found = await attemptsOf(id);
      expect(found).toHaveLength(1);
      return found;
    });
    await settled();
    expect((await deliveriesOf(id))[0].nextAttemptAt.getTime() - attempt.at.getTime()).toBe(120_000);
  });

  test("a receiver that does not answer in time is a failed attempt, recorded as a timeout", async () => {
    receiver.answer = () => ({ status: 200, delayMs: 1_500 });
    const { id } = await store("CDR-T1");
    await eventually(async () =>
      expect(await attemptsOf(id)).toEqual([expect.objectContaining({ status: null, error: "timeout after 500 ms" })]),
    );
    expect((await deliveriesOf(id))[0].status).toBe("pending");
  });

  test("receiver down then back: everything is delivered, each declaration in the order stored, a stuck declaration holding only itself", async () => {
    await receiver.stop();
    const stored: { reference: string; id: number; messageId: string }[] = [];
    for (const reference of ["CDR-A", "CDR-B", "CDR-A", "CDR-C", "CDR-B", "CDR-A"])
      stored.push({ reference, ...(await store(reference)) });
    // the first of each declaration is tried and fails; the later ones wait behind it, untried
    await eventually(async () => expect(await service.db.deliveryAttempt.count()).toBe(3));
    await settled();
    for (const later of [stored[2], stored[4], stored[5]]) expect((await deliveriesOf(later.id))[0].attempts).toBe(0);
    expect((await attemptsOf(stored[0].id))[0].error).toMatch(/ECONNREFUSED/);

    await receiver.start();
    receiver.answer = (r) => ({ status: r.event.data.keys.customsDeclarationReference === "CDR-A" ? 503 : 200 });
    advance(5_000);
    await eventually(() =>
      expect(receiver.accepted.map((r) => r.event.data.id)).toEqual(
        expect.arrayContaining([stored[1].id, stored[3].id, stored[4].id]),
      ),
    );
    expect(
      receiver.accepted
        .filter((r) => r.event.data.keys.customsDeclarationReference === "CDR-B")
        .map((r) => r.event.data.id),
    ).toEqual([stored[1].id, stored[4].id]);
    expect((await deliveriesOf(stored[2].id))[0].attempts).toBe(0); // A still waits behind its first
    await settled(); // the clock jumps next: no lease may be running then

    receiver.answer = () => ({ status: 200 });
    advance(300_000);
    await eventually(() => expect(receiver.accepted).toHaveLength(6));
    expect(
      receiver.accepted
        .filter((r) => r.event.data.keys.customsDeclarationReference === "CDR-A")
        .map((r) => r.event.data.id),
    ).toEqual([stored[0].id, stored[2].id, stored[5].id]);
    expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
  });

  test("at most DELIVERY_MAX_IN_FLIGHT requests are in flight to one destination", async () => {
    receiver.answer = () => ({ status: 200, delayMs: 150 });
    for (let i = 0; i < 8; i++) await store(`CDR-F${i}`);
    await eventually(() => expect(receiver.accepted).toHaveLength(8));
    expect(receiver.maxInFlight).toBe(3);
  });

  test("live deliveries are sent before what a replay queued, so a large replay does not hold them back", async () => {
    for (let i = 0; i < 6; i++) await store(`CDR-L${i}`);
    await eventually(() => expect(receiver.accepted).toHaveLength(6));
    await settled();
    receiver.received.length = 0;
    // Long enough that the live message is stored while the first three replayed ones still hang.
    receiver.answer = () => ({ status: 200, delayMs: 1_000 });
    const range = {
      from: new Date(now.getTime() - 60_000).toISOString(),
      to: new Date(now.getTime() + 60_000).toISOString(),
    };
    expect(
      (await internal(service).post(`/v1/destinations/${destination.id}/replay`, range).expect(202)).body.deliveries,
    ).toBe(6);
    await eventually(() => receiver.inFlight === 3);
    const live = await store("CDR-LIVE");
    await eventually(() => expect(receiver.accepted).toHaveLength(7));
    const arrivals = receiver.received.map((r) => r.event.data.id);
    // In the first slots that free up (3 replayed ones were in flight), not after all 6 replayed ones. The three
    // requests of one claim go out together, so their arrival order among themselves is not defined: 3 to 5.
    expect(arrivals.indexOf(live.id)).toBeGreaterThanOrEqual(3);
    expect(arrivals.indexOf(live.id)).toBeLessThanOrEqual(5);
    expect(arrivals.indexOf(live.id)).toBeLessThan(arrivals.length - 1);
  });

  test("after a secret rotation both the old and the new secret verify the signature until the overlap ends", async () => {
    const { body: rotated } = await internal(service)
      .post(`/v1/destinations/${destination.id}/rotate-secret`)
      .expect(200);
    receiver.secrets = [destination.secret, rotated.secret];
    await store("CDR-K1");
    await eventually(() => expect(receiver.accepted).toHaveLength(1));
    expect(receiver.received[0].verifiedBy).toEqual([0, 1]);
    await settled();
    expect(String(receiver.received[0].headers["webhook-signature"]).split(" ")).toHaveLength(2);

    advance(24 * 3_600_000 + 1);
    await store("CDR-K2");
    await eventually(() => expect(receiver.accepted).toHaveLength(2));
    expect(receiver.received[1].verifiedBy).toEqual([1]);
  });
});
