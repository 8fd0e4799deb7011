import { databaseProviders } from "../support/databases";
import { errorH7Example, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { waitFor } from "../support/wait";

jest.setTimeout(30_000);
const MINUTE = 60_000;
const call = (service: TestService, base: string) =>
  postCallback(service.publicApp, `${base}/declarations/erreurs`, withMessageId(errorH7Example));

describe.each(databaseProviders())("a URL move on %s", (provider) => {
  let now: Date;
  let service: Awaited<ReturnType<typeof startTestService>>;
  const later = (minutes: number) => {
    now = new Date(now.getTime() + minutes * MINUTE);
  };
  const apis = async () => (await internal(service).get("/v1/apis")).body.items[0];
  const moves = (body: object = {}, action = "") => internal(service).post(`/v1/apis/h7/moves${action}`, body);

  beforeEach(async () => {
    now = new Date("2026-11-26T08:00:00Z");
    service = await startTestService(
      provider,
      { PNTS_BASE_PATH: "/pnts", PNTS_TOKEN: "pnts-token-Ue7Bo3Ni5Gk8Rc2Tv" },
      () => now,
    );
  });
  afterEach(async () => {
    await service.stop();
  });

  test("both paths are served from the move on, and the old one is retired only after the window and 30 quiet minutes", async () => {
    const declared = await moves({ basePath: "/edi/dh7", reason: "new reverse proxy" });
    expect(declared.status).toBe(201);
    expect(declared.body.items.map((path: { basePath: string; role: string }) => [path.basePath, path.role])).toEqual([
      ["/edi/dh7", "current"],
      ["/dh7", "previous"],
    ]);
    expect((await call(service, "/dh7")).status).toBe(200);
    await service.basePaths.flush();
    expect(await apis()).toMatchObject({
      status: "yellow",
      basePath: "/edi/dh7",
      warnings: expect.arrayContaining([
        expect.objectContaining({ code: "new_url_not_called", message: "no call on the new URL /edi/dh7 yet" }),
        expect.objectContaining({
          code: "old_url_still_called",
          message: "Douane still calls the old URL /dh7 (last at 2026-11-26T08:00:00.000Z)",
        }),
      ]),
    });

    later(180);
    expect((await call(service, "/edi/dh7")).status).toBe(200);
    expect((await call(service, "/dh7")).status).toBe(200); // some of Douane's nodes have not switched yet
    await service.basePaths.flush();
    const early = await moves({}, "/retire");
    expect(early.status).toBe(409);
    expect(early.body.error).toBe("window_not_over");

    later(125); // 305 minutes after the move, but the old path was called 125 minutes ago... and again now:
    expect((await call(service, "/dh7")).status).toBe(200);
    await service.basePaths.flush();
    const stillCalled = await moves({}, "/retire");
    expect([stillCalled.status, stillCalled.body.error]).toEqual([409, "still_called"]);
    expect((await apis()).warnings.map((warning: { code: string }) => warning.code)).toEqual(["old_url_still_called"]);

    later(31);
    await service.basePathAdmin.retireDue("h7");
    await service.basePaths.reload();
    const retired = await internal(service).get("/v1/apis/h7/moves");
    expect(
      retired.body.items.map((path: { basePath: string; role: string; callCount: number }) => [
        path.basePath,
        path.role,
        path.callCount,
      ]),
    ).toEqual([
      ["/edi/dh7", "current", 1],
      ["/dh7", "retired", 3],
    ]);
    expect((await call(service, "/dh7")).status).toBe(404);
    expect((await call(service, "/edi/dh7")).status).toBe(200);
    expect(await apis()).toMatchObject({ status: "green", basePath: "/edi/dh7" });
    expect(await service.metrics.registry.getSingleMetricAsString("receiver_base_path_calls_total")).toContain(
      'receiver_base_path_calls_total{api="h7",role="retired"} 1',
    );
    const events = await internal(service).get("/v1/apis/h7/tokens/events");
    expect(events.body.items.map((event: { event: string }) => event.event).slice(0, 2)).toEqual([
      "url_retired",
      "url_move_declared",
    ]);
  });

  test("ops can retire the old path early with force, and the audit log says so", async () => {
    await moves({ basePath: "/v2/dh7" });
    const forced = await moves({ force: true, reason: "old proxy decommissioned" }, "/retire");
    expect(forced.status).toBe(200);
    expect((await call(service, "/dh7")).status).toBe(404);
    const events = await internal(service).get("/v1/apis/h7/tokens/events");
    expect(events.body.items[0]).toMatchObject({ event: "url_retired_by_force", reason: "old proxy decommissioned" });
  });

  test("a move can be cancelled before it completes: only the old path is served again", async () => {
    await moves({ basePath: "/v2/dh7" });
    expect((await call(service, "/v2/dh7")).status).toBe(200);
    expect((await moves({}, "/cancel")).status).toBe(200);
    expect((await call(service, "/v2/dh7")).status).toBe(404);
    expect((await call(service, "/dh7")).status).toBe(200);
    expect(await apis()).toMatchObject({ status: "green", basePath: "/dh7" });
  });

  test("one move at a time, never onto another API's path, never onto the current one", async () => {
    expect((await moves({ basePath: "/pnts/h7" })).body.error).toBe("path_in_use");
    expect((await moves({ basePath: "/dh7" })).body.error).toBe("same_path");
    expect((await moves({ basePath: "/v2/dh7" })).status).toBe(201);
    expect((await moves({ basePath: "/v3/dh7" })).body.error).toBe("move_in_progress");
    expect((await moves({}, "/retire")).status).toBe(409);
  });

  test("a move declared through one replica is served by another within 5 seconds", async () => {
    const other = await startTestService(
      provider,
      { PNTS_BASE_PATH: "/pnts", PNTS_TOKEN: "pnts-token-Ue7Bo3Ni5Gk8Rc2Tv" },
      () => now,
      service.testDatabase,
    );
    try {
      expect((await call(other, "/v2/dh7")).status).toBe(404);
      await moves({ basePath: "/v2/dh7" });
      await waitFor(async () => (await call(other, "/v2/dh7")).status === 200, 6_000);
      expect((await call(other, "/dh7")).status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  test("a restarted service serves the moved path even when the environment still names the old one, and says why", async () => {
    await moves({ basePath: "/v2/dh7" });
    await moves({ force: true }, "/retire");
    const restarted = await startTestService(provider, {}, () => now, service.testDatabase);
    try {
      expect((await call(restarted, "/v2/dh7")).status).toBe(200);
      expect((await call(restarted, "/dh7")).status).toBe(404);
      expect(restarted.logText()).toContain(
        "serving /v2/dh7, the base path a URL move recorded in the database, not /dh7 from H7_BASE_PATH",
      );
    } finally {
      await restarted.stop();
    }
  });
});
