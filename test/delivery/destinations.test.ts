import { errorMessage, responseMessage } from "../messages/messages";
import { cli } from "../support/cli";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";

describe.each(databaseProviders())("destinations on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  const now = new Date("2026-11-26T08:00:00Z");
  beforeAll(async () => {
    // this replica sends nothing: the destinations here are not reachable
    service = await startTestService(provider, { DELIVERY_WORKER: "false" }, () => now, undefined, {
      delivery: { pollMs: 50 },
    });
  }, 60_000);
  afterAll(() => service?.stop());
  const api = () => internal(service);
  const add = (body: object) => api().post("/v1/destinations", body);

  test("a destination is created with a whsec_ secret shown once, never in a later answer or a log", async () => {
    const { body: created } = await add({
      url: "https://erp.example.com/hooks",
      description: "ERP",
      filter: { channels: ["declaration_response"] },
    }).expect(201);
    expect(created).toMatchObject({
      id: expect.any(Number),
      url: "https://erp.example.com/hooks",
      enabled: true,
      filter: { channels: ["declaration_response"] },
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const one = await api().get(`/v1/destinations/${created.id}`).expect(200);
    const list = await api().get("/v1/destinations").expect(200);
    for (const answer of [one.text, list.text]) expect(answer).not.toContain(created.secret.slice(6));
    expect(list.body.items.map((item: { id: number }) => item.id)).toContain(created.id);
    expect(service.logText()).not.toContain(created.secret.slice(6));
  });

  test.each([["ftp://erp.example.com/x"], ["not a url"], ["javascript:alert(1)"], [""]])(
    "the URL %p is refused with 400 naming url, and nothing is created",
    async (url) => {
      const before = (await api().get("/v1/destinations").expect(200)).body.items.length;
      const refused = await add({ url }).expect(400);
      expect(refused.body.issues).toEqual([expect.objectContaining({ path: "url" })]);
      expect((await api().get("/v1/destinations").expect(200)).body.items).toHaveLength(before);
    },
  );

  test("a destination can be changed, disabled and removed; an unknown id is 404", async () => {
    const { body: created } = await add({ url: "http://tms.internal:9000/in" }).expect(201);
    const { body: changed } = await api()
      .patch(`/v1/destinations/${created.id}`, { enabled: false, filter: { api: "h7" }, description: "TMS" })
      .expect(200);
    expect(changed).toMatchObject({
      enabled: false,
      filter: { api: "h7" },
      description: "TMS",
      url: "http://tms.internal:9000/in",
    });
    expect(
      (await api().patch(`/v1/destinations/${created.id}`, { url: "gopher://x" }).expect(400)).body.issues,
    ).toEqual([expect.objectContaining({ path: "url" })]);
    await api().delete(`/v1/destinations/${created.id}`).expect(200);
    await api().get(`/v1/destinations/${created.id}`).expect(404);
    await api().patch(`/v1/destinations/${created.id}`, { enabled: true }).expect(404);
    await api().post(`/v1/destinations/${created.id}/rotate-secret`).expect(404);
  });

  test("removing a destination removes its whole backlog, beyond one chunk, with the attempts, and nothing of another's", async () => {
    const { body: removed } = await add({ url: "https://erp.example.com/removed" }).expect(201);
    const { body: kept } = await add({ url: "https://erp.example.com/kept" }).expect(201);
    const backlog = (destinationId: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        destinationId,
        messageRowId: i + 1,
        position: i + 1,
        trigger: "live",
        status: i % 2 === 0 ? "pending" : "failed",
        nextAttemptAt: now,
        createdAt: now,
      }));
    await service.db.delivery.createMany({ data: [...backlog(removed.id, 12_001), ...backlog(kept.id, 3)] });
    const deliveries = await service.db.delivery.findMany({ select: { id: true, destinationId: true } });
    await service.db.deliveryAttempt.createMany({
      data: deliveries.map((delivery) => ({ deliveryId: delivery.id, at: now, status: 500, durationMs: 1 })),
    });
    // More than Prisma's SQLite client takes as parameters of one query: 500 here before the deletes went in chunks.
    await api().delete(`/v1/destinations/${removed.id}`).expect(200);
    expect(await service.db.delivery.count({ where: { destinationId: removed.id } })).toBe(0);
    const keptIds = deliveries.filter((delivery) => delivery.destinationId === kept.id).map((delivery) => delivery.id);
    expect(await service.db.delivery.count({ where: { destinationId: kept.id } })).toBe(3);
    expect(await service.db.deliveryAttempt.count()).toBe(3);
    expect(await service.db.deliveryAttempt.count({ where: { deliveryId: { in: keptIds } } })).toBe(3);
    await api().delete(`/v1/destinations/${kept.id}`).expect(200);
  }, 60_000);

  test("rotating the secret gives a new one, once, and keeps the old one signing for 24 hours", async () => {
    const { body: created } = await add({ url: "https://erp.example.com/rotate" }).expect(201);
    const { body: rotated } = await api().post(`/v1/destinations/${created.id}/rotate-secret`).expect(200);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretExpiresAt).toBe("2026-11-27T08:00:00.000Z");
  });

  test("a stored message gets one delivery per enabled destination whose filter matches, and a feed position", async () => {
    await clearDestinations();
    const all = (await add({ url: "https://a.example.com/" }).expect(201)).body;
    const responses = (
      await add({ url: "https://b.example.com/", filter: { channels: ["declaration_response"] } }).expect(201)
    ).body;
    const disabled = (await add({ url: "https://c.example.com/" }).expect(201)).body;
    await api().patch(`/v1/destinations/${disabled.id}`, { enabled: false }).expect(200);
    const otherApi = (await add({ url: "https://d.example.com/", filter: { api: "pnts" } }).expect(201)).body;

    const response = (
      await postCallback(
        service.publicApp,
        paths.response("CDR-D1"),
        responseMessage({ customsDeclarationReference: "CDR-D1" }),
      ).expect(200)
    ).body;
    const error = (await postCallback(service.publicApp, paths.error, errorMessage()).expect(200)).body;
    const deliveries = await service.db.delivery.findMany({
      where: { messageRowId: { in: [response.id, error.id] } },
      orderBy: { id: "asc" },
    });
    const pairs = deliveries.map((d) => [d.messageRowId, d.destinationId]);
    expect(pairs.sort()).toEqual(
      [
        [response.id, all.id],
        [response.id, responses.id],
        [error.id, all.id],
      ].sort(),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // several polls, had the worker been on
    expect(deliveries.every((d) => d.status === "pending")).toBe(true);
    expect(await service.db.deliveryAttempt.count()).toBe(0); // DELIVERY_WORKER=false stores deliveries, sends none
    expect(pairs.flat()).not.toContain(otherApi.id);
    const feed = await service.db.feedEntry.findMany({
      where: { messageRowId: { in: [response.id, error.id] } },
      orderBy: { position: "asc" },
    });
    expect(feed.map((entry) => entry.messageRowId)).toEqual([response.id, error.id]);
    expect(feed[1].position).toBe(feed[0].position + 1);
  });

  test("when its deliveries cannot be written the message is not stored either, and the sender gets 503", async () => {
    await clearDestinations();
    await add({ url: "https://a.example.com/" }).expect(201);
    const before = await service.db.message.count();
    await service.db.$executeRawUnsafe(`ALTER TABLE "Delivery" RENAME TO "DeliveryAway"`);
    try {
      await postCallback(service.publicApp, paths.error, errorMessage()).expect(503);
    } finally {
      await service.db.$executeRawUnsafe(`ALTER TABLE "DeliveryAway" RENAME TO "Delivery"`);
    }
    expect(await service.db.message.count()).toBe(before);
  });

  test("a message accepted from quarantine gets its deliveries and feed position too", async () => {
    await clearDestinations();
    const destination = (await add({ url: "https://a.example.com/" }).expect(201)).body;
    const message = { ...responseMessage({ customsDeclarationReference: "CDR-Q" }), dutiesAndTaxes: "missing" };
    const { body: refused } = await postCallback(service.publicApp, paths.response("CDR-Q"), message).expect(400);
    const { body: stored } = await api()
      .post(`/v1/quarantine/${refused.quarantineId}/accept`, { reason: "checked by phone" })
      .expect(201);
    expect(await service.db.delivery.findMany({ where: { messageRowId: stored.id } })).toEqual([
      expect.objectContaining({ destinationId: destination.id, orderKey: "CDR-Q", status: "pending" }),
    ]);
    expect(await service.db.feedEntry.count({ where: { messageRowId: stored.id } })).toBe(1);
  });

  test("the CLI adds, lists, rotates and removes destinations over the same database", async () => {
    const env = { DATABASE_URL: service.testDatabase.database.url };
    const added = await cli(
      env,
      "--json",
      "destinations",
      "add",
      "https://cli.example.com/in",
      "--channel",
      "declaration_error",
      "--description",
      "from the CLI",
    );
    expect(added).toMatchObject({ code: 0, stderr: "" });
    const created = JSON.parse(added.stdout);
    expect(created).toMatchObject({
      url: "https://cli.example.com/in",
      filter: { channels: ["declaration_error"] },
      secret: expect.stringMatching(/^whsec_/),
    });
    const listed = await cli(env, "destinations", "list");
    expect(listed.stdout).toContain("https://cli.example.com/in");
    expect(listed.stdout).not.toContain(created.secret);
    expect((await cli(env, "destinations", "add", "ftp://nope")).stderr).toContain("--url");
    expect(
      JSON.parse((await cli(env, "--json", "destinations", "update", String(created.id), "--disable")).stdout),
    ).toMatchObject({ enabled: false });
    expect(
      JSON.parse((await cli(env, "--json", "destinations", "rotate-secret", String(created.id))).stdout).secret,
    ).not.toBe(created.secret);
    expect(await cli(env, "destinations", "remove", String(created.id))).toMatchObject({ code: 0 });
    expect((await cli(env, "destinations", "remove", String(created.id))).code).toBe(1);
  });

  test("the CLI status shows a destination failing for over 15 minutes as a yellow API, with a warning naming it", async () => {
    await clearDestinations();
    const env = { DATABASE_URL: service.testDatabase.database.url };
    const destination = (await add({ url: "https://down.example.com/" }).expect(201)).body;
    expect(JSON.parse((await cli(env, "--json", "status")).stdout).items[0]).toMatchObject({
      status: "green",
      deliveryWarnings: [],
    });
    await service.db.destination.update({
      where: { id: destination.id },
      data: { failingSince: new Date(Date.now() - 20 * 60_000) },
    });
    const { stdout } = await cli(env, "--json", "status");
    expect(JSON.parse(stdout).items[0]).toMatchObject({
      status: "yellow",
      deliveryWarnings: [expect.objectContaining({ destinationId: destination.id })],
    });
    expect((await cli(env, "status")).stdout).toContain(
      `warning: h7: every delivery to destination ${destination.id} has failed since`,
    );
  });

  async function clearDestinations() {
    for (const item of (await api().get("/v1/destinations").expect(200)).body.items)
      await api().delete(`/v1/destinations/${item.id}`).expect(200);
  }
});
