import type { Server } from "node:http";
import { listenerLimitsOf } from "../../src/http/listener-limits";
import { listen, portOf } from "../../src/service";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

describe.each(databaseProviders())("simulated traffic on %s, with SIMULATED_HEADER=honour", (provider) => {
  let testDatabase: TestDatabase;
  let service: TestService;
  let server: Server;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
    service = await startTestService(provider, { SIMULATED_HEADER: "honour" }, undefined, testDatabase);
    server = await listen(service.publicApp, { port: 0, host: "127.0.0.1", limits: listenerLimitsOf(service.config) });
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await service?.stop();
    await testDatabase?.drop();
  });

  test("what the simulator sends is stored marked simulated, Douane's callbacks are not", async () => {
    const url = `http://127.0.0.1:${portOf(server)}/dh7`;
    const run = await cli(
      env,
      "--json",
      "simulate",
      "--url",
      url,
      "--token",
      TEST_TOKEN,
      "--count",
      "30",
      "--invalid",
      "0.2",
      "--seed",
      "19",
      "--rate",
      "0",
    );
    expect(run.code).toBe(0);
    const { stored, refused } = JSON.parse(run.stdout);
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example, "from-douane")).expect(200);
    await postCallback(service.publicApp, paths.error, "{").expect(400);

    const messages = await service.db.message.groupBy({
      by: ["simulated"],
      _count: { _all: true },
      orderBy: { simulated: "asc" },
    });
    expect(messages.map((row) => [row.simulated, row._count._all])).toEqual([
      [false, 1],
      [true, stored],
    ]);
    expect(await service.db.quarantinedBody.count({ where: { simulated: true } })).toBe(refused);
    expect(await service.db.quarantinedBody.count({ where: { simulated: false } })).toBe(1);
  }, 60_000);

  test("db purge --simulated removes the simulator's rows, whatever their age, and leaves Douane's", async () => {
    const dry = await cli(env, "db", "purge", "--simulated", "--dry-run");
    expect(dry.stderr).toBe("");
    expect(dry.stdout).toMatch(/^Message\s+-\s+\S+\s+[1-9]\d*\s+0\s+0$/m);
    expect(await service.db.message.count({ where: { simulated: true } })).toBeGreaterThan(0);

    expect((await cli(env, "db", "purge", "--simulated", "--yes")).code).toBe(0);
    expect(await service.db.message.findMany({ select: { messageId: true } })).toEqual([{ messageId: "from-douane" }]);
    expect(await service.db.quarantinedBody.count()).toBe(1);
    expect(await service.db.quarantinedBody.count({ where: { simulated: true } })).toBe(0);
  });
});

describe.each(databaseProviders())("the X-Simulated header on %s", (provider) => {
  const simulatedCallback = (service: TestService, messageId: string) =>
    postCallback(service.publicApp, paths.error, withMessageId(errorH7Example, messageId)).set("X-Simulated", "true");
  const simulatedOf = async (service: TestService, messageId: string) =>
    (await service.db.message.findFirstOrThrow({ where: { messageId }, select: { simulated: true } })).simulated;

  test("is not believed by default from a Douane token holder: the message is stored as Douane's", async () => {
    const service = await startTestService(provider);
    try {
      expect(service.config.SIMULATED_HEADER).toBe("ignore");
      await simulatedCallback(service, "claims-to-be-simulated").expect(200);
      expect(await simulatedOf(service, "claims-to-be-simulated")).toBe(false);
    } finally {
      await service.stop();
    }
  });

  test("marks the message simulated on a receiver wired to the sandbox (H7_DOUANE_URL not Douane's)", async () => {
    const service = await startTestService(provider, { H7_DOUANE_URL: "http://127.0.0.1:8090/dh7" });
    try {
      expect(service.config.SIMULATED_HEADER).toBe("honour");
      await simulatedCallback(service, "from-the-simulator").expect(200);
      expect(await simulatedOf(service, "from-the-simulator")).toBe(true);
    } finally {
      await service.stop();
    }
  });
});
