import { TOKEN_CACHE_MS } from "../../src/tokens/store";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { describeOnPostgres } from "../support/on-postgres";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

// Two instances of the service on one PostgreSQL database, as behind a load balancer.
describeOnPostgres("token changes across two replicas on PostgreSQL", () => {
  let testDatabase: TestDatabase;
  let replicaA: TestService;
  let replicaB: TestService;
  beforeAll(async () => {
    testDatabase = await createTestDatabase("postgresql");
    // The polling below fails authentication many times a minute: keep it under the rate limit.
    const env = { AUTH_FAILURE_LIMIT_PER_MINUTE: "10000" };
    replicaA = await startTestService("postgresql", env, undefined, testDatabase);
    replicaB = await startTestService("postgresql", env, undefined, testDatabase);
  }, 60_000);
  afterAll(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await testDatabase?.drop();
  });

  const callbackTo = (replica: TestService, token: string) =>
    postCallback(replica.publicApp, paths.error, withMessageId(errorH7Example), { token }).then(
      (answer) => answer.status,
    );

  /** Milliseconds until `replica` answers `status` for `token`, polling. */
  async function timeUntil(replica: TestService, token: string, status: number): Promise<number> {
    const started = Date.now();
    while ((await callbackTo(replica, token)) !== status) {
      if (Date.now() - started > TOKEN_CACHE_MS + 3_000)
        throw new Error(`still not ${status} after ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return Date.now() - started;
  }

  test("a token rotated through one replica is accepted by the other within 5 seconds, and a revocation refused as fast", async () => {
    const { body: created } = await internal(replicaA).post("/v1/apis/h7/tokens", { reason: "rotation" }).expect(201);
    expect(await callbackTo(replicaA, created.token)).toBe(200); // at once where it was made
    const acceptedAfter = await timeUntil(replicaB, created.token, 200);
    expect(acceptedAfter).toBeLessThanOrEqual(TOKEN_CACHE_MS + 500);

    // Its first use switched the tokens: the old one is retiring, still accepted by both.
    expect(await callbackTo(replicaB, TEST_TOKEN)).toBe(200);
    const { body: list } = await internal(replicaB).get("/v1/apis/h7/tokens").expect(200);
    const old = list.items.find((token: { status: string }) => token.status === "retiring");
    expect(old).toBeDefined();

    await internal(replicaB).post(`/v1/apis/h7/tokens/${old.id}/revoke`, { reason: "leaked" }).expect(200);
    expect(await callbackTo(replicaB, TEST_TOKEN)).toBe(401);
    const refusedAfter = await timeUntil(replicaA, TEST_TOKEN, 401);
    expect(refusedAfter).toBeLessThanOrEqual(TOKEN_CACHE_MS + 500);
    expect(await callbackTo(replicaA, created.token)).toBe(200);
  }, 30_000);

  test("two replicas rotating at the same instant create one pending token, the other gets 409", async () => {
    const pendingBefore = await replicaA.db.apiToken.count({ where: { status: "pending" } });
    expect(pendingBefore).toBe(0);
    const answers = await Promise.all([
      internal(replicaA).post("/v1/apis/h7/tokens", {}),
      internal(replicaB).post("/v1/apis/h7/tokens", {}),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(await replicaA.db.apiToken.count({ where: { status: "pending" } })).toBe(1);
  });
});
