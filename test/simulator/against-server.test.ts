import type { Server } from "node:http";
import { listenerLimitsOf } from "../../src/http/listener-limits";
import { listen, portOf } from "../../src/service";
import { planRun } from "../../src/simulator/plan";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { startTestService, TEST_TOKEN, type TestService } from "../support/service";

/** The service listening on a real port, as Douane (and the simulator) reach it. */
async function listening(service: TestService) {
  const server = await listen(service.publicApp, {
    port: 0,
    host: "127.0.0.1",
    limits: listenerLimitsOf(service.config),
    deferContinue: true,
  });
  return { server, url: `http://127.0.0.1:${portOf(server)}${service.config.apis[0].basePath}` };
}
const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe.each(databaseProviders())("the simulator against a receiver listening on %s", (provider) => {
  let testDatabase: TestDatabase;
  let service: TestService;
  let server: Server;
  let url: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
    service = await startTestService(provider, {}, undefined, testDatabase);
    ({ server, url } = await listening(service));
  }, 60_000);
  afterAll(async () => {
    if (server) await closed(server);
    await service?.stop();
    await testDatabase?.drop();
  });

  const run = {
    seed: 2026,
    count: 80,
    channel: "mixed",
    duplicates: 0.1,
    conflicts: 0.05,
    invalid: 0.15,
    maxErrors: 999,
    at: new Date("2026-11-25T10:00:00Z"),
  } as const;
  const argv = () => [
    "simulate",
    "--url",
    url,
    "--token",
    TEST_TOKEN,
    "--rate",
    "0",
    "--concurrency",
    "8",
    "--seed",
    "2026",
    "--count",
    "80",
    "--duplicates",
    "10%",
    "--conflicts",
    "0.05",
    "--invalid",
    "0.15",
    "--at",
    run.at.toISOString(),
  ];

  test("a mixed run gets the expected answer to every call, and its messages and refusals are visible through the CLI", async () => {
    const simulated = await cli(env, "--json", ...argv());
    expect(simulated.code).toBe(0);
    const plan = planRun(run);
    const stored = plan.filter((call) => call.kind === "new" && !call.invalid);
    const summary = JSON.parse(simulated.stdout);
    expect(summary).toMatchObject({
      url,
      seed: 2026,
      sent: 80,
      unexpected: 0,
      stored: stored.length,
      duplicatesAcknowledged: plan.filter((call) => call.kind === "duplicate" && call.expectedStatus === 200).length,
      conflicts: plan.filter((call) => call.kind === "conflict").length,
      refused: plan.filter((call) => call.expectedStatus === 400).length,
      latencyMs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) },
    });
    expect(summary.duplicatesAcknowledged + summary.conflicts).toBeGreaterThan(0);
    expect(summary.refused).toBeGreaterThan(0);
    expect(simulated.stderr).toContain("progress: 80/80 (100%)");

    const listed = JSON.parse((await cli(env, "--json", "messages", "list", "--limit", "500")).stdout);
    expect(listed.items.map((item: { messageId: string }) => item.messageId).sort()).toEqual(
      stored.map((call) => call.callback.body.header.messageId).sort(),
    );
    expect(new Set(listed.items.map((item: { validation: string }) => item.validation))).toEqual(new Set(["valid"]));
    const quarantined = JSON.parse((await cli(env, "--json", "quarantine", "list", "--limit", "500")).stdout);
    // A resend of a refused body is the same bytes: kept once, its row counting both arrivals.
    const arrivals = quarantined.items.reduce((sum: number, item: { seenCount: number }) => sum + item.seenCount, 0);
    expect(arrivals).toBe(summary.refused + summary.conflicts);
    expect(quarantined.items.filter((item: { reason: string }) => item.reason === "conflict")).toHaveLength(
      summary.conflicts,
    );

    // The same seed and clock send the same bytes: all acknowledged as duplicates, nothing stored twice.
    const replayed = JSON.parse((await cli(env, "--json", ...argv())).stdout);
    expect(replayed).toMatchObject({ unexpected: 0, stored: 0, refused: summary.refused });
    expect(JSON.parse((await cli(env, "--json", "messages", "list", "--limit", "500")).stdout).items).toHaveLength(
      stored.length,
    );
  }, 60_000);

  test("a wrong token is reported as unexpected 401 answers and the run exits 1", async () => {
    const simulated = await cli(env, "simulate", "--url", url, "--token", "not-the-token-0123456789", "--count", "3");
    expect(simulated.code).toBe(1);
    expect(simulated.stdout).toContain("answers: 401 ×3");
    expect(simulated.stdout).toContain("3 unexpected answers");
    expect(simulated.stdout).toMatch(/call #0: expected 200, got 401 \{"error":"unauthorized"/);
  });
});

test("the token goes in the header the receiver reads, the run keeps its rate, and an unreachable receiver is reported", async () => {
  const [provider] = databaseProviders();
  const service = await startTestService(provider, { H7_AUTH_HEADER: "X-Douane-Token", H7_BASE_PATH: "/edi/dh7" });
  const { server, url } = await listening(service);
  try {
    const paced = await cli(
      {},
      "--json",
      "simulate",
      "--url",
      url,
      "--token",
      TEST_TOKEN,
      "--header",
      "X-Douane-Token",
      "--count",
      "6",
      "--rate",
      "20",
      "--channel",
      "request_registration",
    );
    expect(paced.code).toBe(0);
    const summary = JSON.parse(paced.stdout);
    expect(summary).toMatchObject({ byStatus: { 200: 6 }, stored: 6, channel: "request_registration" });
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(240); // 6 calls at 20/s: the last one leaves 250 ms after the first
    const asBearer = await cli({}, "--json", "simulate", "--url", url, "--token", TEST_TOKEN, "--count", "1");
    expect(JSON.parse(asBearer.stdout).byStatus).toEqual({ 401: 1 });
  } finally {
    await closed(server);
    await service.stop();
  }
  const unreachable = await cli(
    {},
    "simulate",
    "--url",
    url,
    "--token",
    TEST_TOKEN,
    "--count",
    "2",
    "--timeout",
    "2000",
  );
  expect(unreachable.code).toBe(1);
  expect(unreachable.stdout).toContain("answers: none ×2");
  expect(unreachable.stdout).toContain("got ECONNREFUSED");
}, 60_000);

test("simulate refuses bad options by name, and reads the token from H7_TOKEN", async () => {
  const bad = await cli({}, "simulate", "--url", "ftp://x", "--invalid", "0.8", "--duplicates", "0.5", "--count", "0");
  expect(bad.code).toBe(1);
  for (const flag of ["--url", "--token", "--count", "--invalid"])
    expect(bad.stderr).toMatch(new RegExp(`^  ${flag}: `, "m"));
  const fromEnv = await cli(
    { H7_TOKEN: "x".repeat(20) },
    "simulate",
    "--url",
    "http://127.0.0.1:9/dh7",
    "--count",
    "1",
    "--timeout",
    "500",
  );
  expect(fromEnv.stderr).not.toContain("--token");
  expect((await cli({}, "simulate", "--url", "http://x", "--channel", "gossip")).stderr).toContain(
    "Allowed choices are",
  );
});
