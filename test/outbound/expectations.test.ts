import { errorMessage, registrationMessage } from "../messages/messages";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";

jest.setTimeout(30_000); // a bulk of 500 on a busy machine

describe.each(databaseProviders())("expected returns registered by other software, on %s", (provider) => {
  let testDatabase: TestDatabase;
  let service: TestService;
  let now: Date;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    now = new Date("2026-11-26T09:00:00Z");
    service = await startTestService(provider, { OUTBOUND_RETURN_TIMEOUT_MINUTES: "30" }, () => now, testDatabase);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await testDatabase?.drop();
  });

  const api = () => internal(service);
  const settle = () => service.outbound.reconciler.run();

  test("one or many can be registered; the same one registered twice is kept once; due 30 minutes after sentAt", async () => {
    const single = await api()
      .post("/v1/expectations", { api: "h7", lrn: "LRN-X1", sentAt: "2026-11-26T08:50:00+01:00" })
      .expect(201);
    expect(single.body.items).toEqual([
      expect.objectContaining({
        api: "h7",
        lrn: "LRN-X1",
        operatorRequestReference: null,
        sentAt: "2026-11-26T07:50:00.000Z",
        dueAt: "2026-11-26T08:20:00.000Z",
        status: "overdue",
        source: "registered",
        submissionId: null,
        closedAt: null,
      }),
    ]);
    const bulk = await api()
      .post("/v1/expectations", {
        items: [
          { api: "h7", lrn: "LRN-X1", sentAt: "2026-11-26T07:50:00Z" },
          { api: "h7", operatorRequestReference: "OP-X2", sentAt: "2026-11-26T08:55:00Z" },
        ],
      })
      .expect(201);
    expect(bulk.body.items[0].id).toBe(single.body.items[0].id);
    expect(bulk.body.items[1]).toMatchObject({ operatorRequestReference: "OP-X2", status: "open" });
    const many = Array.from({ length: 500 }, (_, i) => ({
      api: "h7",
      lrn: `LRN-BULK${i}`,
      operatorRequestReference: `OP-BULK-${"0".repeat(20)}${i}`,
      sentAt: "2026-11-26T08:59:00Z",
    }));
    expect((await api().post("/v1/expectations", { items: many }).expect(201)).body.items).toHaveLength(500);
    await api()
      .post("/v1/expectations", { items: [...many, many[0]] })
      .expect(400);
  });

  test("a bad registration is 400 naming each field, and nothing is stored", async () => {
    const before = (await api().get("/v1/expectations?limit=500").expect(200)).body.items.length;
    const bad = await api()
      .post("/v1/expectations", {
        items: [
          { api: "h7", sentAt: "yesterday" },
          { api: "gamma", lrn: "x".repeat(23), sentAt: "2026-11-26T08:00:00Z" },
        ],
      })
      .expect(400);
    expect(bad.body.error).toBe("invalid_body");
    expect(bad.body.issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(["items.0.sentAt", "items.1.api", "items.1.lrn"]),
    );
    await api().post("/v1/expectations", { api: "h7", sentAt: "2026-11-26T08:00:00Z" }).expect(400);
    expect((await api().get("/v1/expectations?limit=500").expect(200)).body.items).toHaveLength(before);
  });

  test("a return stored after sentAt closes it, matched by lrn or by operatorRequestReference; one received before does not", async () => {
    await postCallback(
      service.publicApp,
      paths.error,
      errorMessage({ lrn: "LRN-X3", operatorRequestReference: "OP-NONE" }),
    ).expect(200); // before
    now = new Date("2026-11-26T09:10:00Z");
    const [x3] = (
      await api().post("/v1/expectations", { api: "h7", lrn: "LRN-X3", sentAt: "2026-11-26T09:05:00Z" }).expect(201)
    ).body.items;
    await settle();
    expect((await api().get(`/v1/expectations/${x3.id}`).expect(200)).body.status).toBe("open");

    now = new Date("2026-11-26T09:20:00Z");
    const late = await postCallback(
      service.publicApp,
      paths.error,
      errorMessage({ lrn: "LRN-X3", operatorRequestReference: "OP-NONE" }),
    ).expect(200);
    const registration = await postCallback(
      service.publicApp,
      paths.registration("REQ-X2"),
      registrationMessage({ customsRequestReference: "REQ-X2", operatorRequestReference: "OP-X2", lrn: "LRN-OTHER" }),
    ).expect(200);
    await settle();
    expect((await api().get(`/v1/expectations/${x3.id}`).expect(200)).body).toMatchObject({
      status: "closed",
      closedAt: "2026-11-26T09:20:00.000Z",
      closedByMessageId: late.body.id,
    });
    const [x2] = (await api().get("/v1/expectations?operatorRequestReference=OP-X2").expect(200)).body.items;
    expect(x2).toMatchObject({ status: "closed", closedByMessageId: registration.body.id });
    await settle(); // idempotent: closed once, by the first return
    expect((await api().get(`/v1/expectations/${x3.id}`).expect(200)).body.closedByMessageId).toBe(late.body.id);
    expect((await api().post(`/v1/expectations/${x3.id}/represented`, { reason: "x" }).expect(409)).body.error).toBe(
      "already_closed",
    );
  });

  test("the list pages with a cursor, filters by status, and the CLI shows the overdue ones", async () => {
    await api()
      .post("/v1/expectations", {
        items: Array.from({ length: 5 }, (_, i) => ({ api: "h7", lrn: `LRN-PG${i}`, sentAt: "2026-11-26T06:00:00Z" })),
      })
      .expect(201);
    const first = (await api().get("/v1/expectations?status=overdue&limit=3").expect(200)).body;
    const second = (await api().get(`/v1/expectations?status=overdue&limit=3&cursor=${first.nextCursor}`).expect(200))
      .body;
    const lrns = [...first.items, ...second.items].map((item: { lrn: string }) => item.lrn);
    expect(lrns).toEqual(["LRN-PG4", "LRN-PG3", "LRN-PG2", "LRN-PG1", "LRN-PG0", "LRN-X1"]);
    expect(second.nextCursor).toBeNull();
    expect((await api().get("/v1/expectations?status=late").expect(400)).body.issues[0].path).toBe("status");
    expect((await api().get(`/v1/messages?cursor=${first.nextCursor}`).expect(400)).body.issues[0].path).toBe("cursor");

    const listed = await cli(
      { DATABASE_URL: testDatabase.database.url },
      "expectations",
      "list",
      "--status",
      "overdue",
      "--lrn",
      "LRN-PG2",
    );
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^id\s+status\s+api\s+lrn\s+operatorRequestReference\s+sentAt\s+dueAt/m);
    expect(listed.stdout).toMatch(/\soverdue\s+h7\s+LRN-PG2\s+-\s+2026-11-26T06:00:00.000Z\s+2026-11-26T06:30:00.000Z/);
    const status = await cli({ DATABASE_URL: testDatabase.database.url }, "status");
    expect(status.stdout).toMatch(/^h7\s+\/dh7\s+authorization\s+yellow\s/m);
    expect(status.stdout).toMatch(
      /^h7: \d+ expected Douane returns are overdue: run expectations list --status overdue$/m,
    );
    const id = /^(\d+)\s+overdue/m.exec(listed.stdout)![1];
    expect(
      (
        await cli(
          { DATABASE_URL: testDatabase.database.url },
          "expectations",
          "represented",
          id,
          "--reason",
          "presented again by hand",
          "--actor",
          "bob",
        )
      ).stdout,
    ).toContain("re-presenting recorded");
    expect((await api().get(`/v1/expectations/${id}`).expect(200)).body).toMatchObject({
      status: "represented",
      representedBy: "bob",
    });
  });

  test("without DOUANE_TOKEN_URL nothing is sent: submissions answer 503 and status says outbound is off", async () => {
    const answer = await api()
      .post("/v1/outbound/h7/declarations", { header: { lrn: "LRN-OFF" } })
      .expect(503);
    expect(answer.body.error).toBe("outbound_not_configured");
    expect((await api().get("/v1/outbound/status").expect(200)).body).toMatchObject({
      enabled: false,
      token: null,
      status: "yellow",
      overdueExpectations: expect.any(Number),
    });
  });

  test("by lrn, the declaration's timeline shows the expectation and the returns that name it; an lrn nobody mentioned is 404", async () => {
    const timeline = (await api().get("/v1/declarations/lrn/LRN-X3").expect(200)).body;
    expect(timeline).toMatchObject({
      lrn: "LRN-X3",
      submissions: [],
      expectations: [{ lrn: "LRN-X3", status: "closed" }],
    });
    expect(
      timeline.messages.map((message: { channel: string; lrn: string }) => [message.channel, message.lrn]),
    ).toEqual([
      ["declaration_error", "LRN-X3"],
      ["declaration_error", "LRN-X3"],
    ]);
    expect((await api().get("/v1/declarations/lrn/LRN-NEVER").expect(404)).body.error).toBe("not_found");
  });
});
