import { responseMessage } from "../messages/messages";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";
import { eventually, TestReceiver } from "./receiver";

describe.each(databaseProviders())("redelivery, replay, listing and status on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let now = new Date("2026-11-26T08:00:00Z");
  const receiver = new TestReceiver();
  let destination: { id: number; secret: string };

  beforeAll(async () => {
    await receiver.start();
    service = await startTestService(provider, {}, () => now, undefined, {
      delivery: { pollMs: 40, timeoutMs: 500, random: () => 0.5 },
    });
    destination = (await internal(service).post("/v1/destinations", { url: receiver.url }).expect(201)).body;
    receiver.secrets = [destination.secret];
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await receiver.stop();
  });
  const api = () => internal(service);
  const store = async (reference: string) => {
    const message = responseMessage({ customsDeclarationReference: reference });
    return (await postCallback(service.publicApp, paths.response(reference), message).expect(200)).body.id as number;
  };
  const settled = () =>
    eventually(async () => expect(await service.db.delivery.count({ where: { status: "pending" } })).toBe(0));

  test("a message redelivered by hand goes out again under a new webhook-id, counted apart from the automatic delivery", async () => {
    const id = await store("CDR-RD");
    await settled();
    const { body } = await api().post(`/v1/messages/${id}/redeliver`).expect(202);
    expect(body.deliveryIds).toHaveLength(1);
    await eventually(() => expect(receiver.accepted.filter((r) => r.event.data.id === id)).toHaveLength(2));
    const ids = receiver.accepted.filter((r) => r.event.data.id === id).map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(2);
    await settled();
    const { body: page } = await api().get(`/v1/destinations/${destination.id}/deliveries?limit=2`).expect(200);
    expect(page.items[0]).toMatchObject({
      id: body.deliveryIds[0],
      trigger: "redeliver",
      status: "delivered",
      attempts: 1,
      attemptLog: [expect.objectContaining({ status: 204 })],
    });
    expect(page.items[1]).toMatchObject({ messageRowId: id, trigger: "live", attempts: 1 });
    await api().post("/v1/messages/999999/redeliver").expect(404);
  });

  test("a replay queues every message received in [from, to), in feed order, and they are delivered", async () => {
    now = new Date("2026-11-26T09:00:00Z");
    const inRange = [await store("CDR-RP1"), await store("CDR-RP2")];
    now = new Date("2026-11-26T10:00:00Z");
    await store("CDR-RP3");
    await settled();
    receiver.received.length = 0;
    const { body } = await api()
      .post(`/v1/destinations/${destination.id}/replay`, { from: "2026-11-26T09:00:00Z", to: "2026-11-26T10:00:00Z" })
      .expect(202);
    expect(body).toEqual({ destinationId: destination.id, deliveries: 2 });
    await eventually(() => expect(receiver.accepted.map((r) => r.event.data.id).sort()).toEqual(inRange.sort()));
    await api()
      .post(`/v1/destinations/${destination.id}/replay`, { from: "2026-11-26T10:00:00Z", to: "2026-11-26T09:00:00Z" })
      .expect(400);
    await api()
      .post("/v1/destinations/999999/replay", { from: "2026-11-26T09:00:00Z", to: "2026-11-26T10:00:00Z" })
      .expect(404);
  });

  test("a replay's progress is listed by trigger, and cancelling it fails what it has left, leaving live deliveries alone", async () => {
    await settled();
    receiver.answer = () => ({ status: 503 });
    const { body } = await api()
      .post(`/v1/destinations/${destination.id}/replay`, { from: "2026-11-26T09:00:00Z", to: "2026-11-26T11:00:00Z" })
      .expect(202);
    expect(body.deliveries).toBe(3);
    const live = await store("CDR-LIVE");
    await eventually(async () =>
      expect(
        (
          await service.db.delivery.findMany({
            where: { trigger: "replay", status: "pending", attempts: { gt: 0 }, leaseOwner: null },
          })
        ).length,
      ).toBeGreaterThan(0),
    );
    const { body: left } = await api()
      .get(`/v1/destinations/${destination.id}/deliveries?trigger=replay&status=pending`)
      .expect(200);
    expect(left.items).toHaveLength(3);
    await eventually(async () =>
      expect(await service.db.delivery.count({ where: { leaseOwner: { not: null } } })).toBe(0),
    );
    expect((await api().post(`/v1/destinations/${destination.id}/replay/cancel`).expect(200)).body).toEqual({
      destinationId: destination.id,
      cancelled: 3,
    });
    const { body: failed } = await api()
      .get(`/v1/destinations/${destination.id}/deliveries?trigger=replay&status=failed&limit=3`)
      .expect(200);
    expect(failed.items.map((d: { lastError: string }) => d.lastError)).toEqual([
      "replay cancelled",
      "replay cancelled",
      "replay cancelled",
    ]);
    expect((await service.db.delivery.findMany({ where: { messageRowId: live } }))[0]).toMatchObject({
      trigger: "live",
      status: "pending",
    });
    receiver.answer = () => ({ status: 204 });
    now = new Date(now.getTime() + 11 * 3_600_000);
    await settled();
  }, 30_000);

  test("the deliveries list filters by status and pages newest first with its cursor", async () => {
    await settled();
    const all = (
      await api().get(`/v1/destinations/${destination.id}/deliveries?status=delivered&limit=500`).expect(200)
    ).body.items;
    const first = (
      await api().get(`/v1/destinations/${destination.id}/deliveries?status=delivered&limit=3`).expect(200)
    ).body;
    const second = (
      await api()
        .get(`/v1/destinations/${destination.id}/deliveries?status=delivered&limit=3&cursor=${first.nextCursor}`)
        .expect(200)
    ).body;
    expect([...first.items, ...second.items].map((d: { id: number }) => d.id)).toEqual(
      all.slice(0, 6).map((d: { id: number }) => d.id),
    );
    expect(
      (await api().get(`/v1/destinations/${destination.id}/deliveries?status=failed&trigger=live`).expect(200)).body
        .items,
    ).toEqual([]);
    expect(
      (await api().get(`/v1/destinations/${destination.id}/deliveries?status=lost`).expect(400)).body.issues,
    ).toEqual([expect.objectContaining({ path: "status" })]);
  });

  test("a destination failing for over 15 minutes turns /v1/apis yellow, shows in the metrics, and clears once it delivers", async () => {
    receiver.answer = () => ({ status: 500 });
    await store("CDR-FAIL");
    await eventually(async () =>
      expect((await api().get(`/v1/destinations/${destination.id}`).expect(200)).body.failingSince).not.toBeNull(),
    );
    expect((await api().get("/v1/apis").expect(200)).body.items[0].status).toBe("green");
    now = new Date(now.getTime() + 16 * 60_000);
    const { body: apis } = await api().get("/v1/apis").expect(200);
    expect(apis.items[0]).toMatchObject({
      status: "yellow",
      deliveryWarnings: [expect.objectContaining({ destinationId: destination.id, url: receiver.url })],
    });
    const metrics = (await api().get("/metrics").expect(200)).text;
    expect(metrics).toContain(`receiver_deliveries_pending{destination="${destination.id}"} 1`);
    expect(metrics).toMatch(
      new RegExp(`receiver_delivery_oldest_pending_seconds\\{destination="${destination.id}"\\} 9\\d\\d`),
    );
    expect(metrics).toMatch(
      new RegExp(`receiver_delivery_attempts_total\\{destination="${destination.id}",outcome="retrying"\\} [1-9]`),
    );

    // An attempt still in flight would fail and be rescheduled from the clock moved below, beyond the test's reach.
    await eventually(async () =>
      expect(await service.db.delivery.count({ where: { status: "pending", leaseUntil: { not: null } } })).toBe(0),
    );
    receiver.answer = () => ({ status: 200 });
    now = new Date(now.getTime() + 11 * 3_600_000); // past any retry step
    await settled();
    expect((await api().get("/v1/apis").expect(200)).body.items[0]).toMatchObject({
      status: "green",
      deliveryWarnings: [],
    });
  }, 30_000);
});
