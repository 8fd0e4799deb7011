import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { describeOnPostgres } from "../support/on-postgres";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";
import { waitFor } from "../support/wait";

// "The last usable token needs force", on every path that could take it away (issue 12, point 3).
describe.each(databaseProviders())("the last-usable-token guard on %s", (provider) => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterEach(() => service?.stop());
  const api = () => internal(service);
  const callback = (token: string) =>
    postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token });
  const tokens = async () =>
    (await api().get("/v1/apis/h7/tokens").expect(200)).body.items as { id: number; status: string }[];

  test("rotate, revoke the active, cancel the pending: the revocation needs force, since Douane never presented the pending token", async () => {
    const active = (await tokens())[0];
    const { body: pending } = await api().post("/v1/apis/h7/tokens", {}).expect(201);
    const refused = await api().post(`/v1/apis/h7/tokens/${active.id}/revoke`, {}).expect(409);
    expect(refused.body).toMatchObject({
      error: "last_usable_token",
      message: expect.stringContaining("never presented"),
    });
    await api().delete(`/v1/apis/h7/tokens/${pending.id}`).expect(200);
    await callback(TEST_TOKEN).expect(200);
    expect(await tokens()).toEqual([expect.objectContaining({ id: active.id, status: "active" })]);
  });

  test("revoking the active token while the old one retires needs force: the retiring one would expire and leave nothing", async () => {
    const { body: created } = await api().post("/v1/apis/h7/tokens", {}).expect(201);
    await callback(created.token).expect(200);
    await waitFor(async () => (await tokens()).find((token) => token.id === created.id)?.status === "active");
    expect((await api().post(`/v1/apis/h7/tokens/${created.id}/revoke`, {}).expect(409)).body.error).toBe(
      "last_usable_token",
    );
    await callback(created.token).expect(200);
    const retiring = (await tokens()).find((token) => token.status === "retiring")!;
    await api().post(`/v1/apis/h7/tokens/${retiring.id}/revoke`, {}).expect(200); // the active one stays
    await api().post(`/v1/apis/h7/tokens/${created.id}/revoke`, { force: true }).expect(200);
    await callback(created.token).expect(401);
  });

  test("a pending token Douane already presented keeps the API reachable: the active one may then be revoked", async () => {
    const active = (await tokens())[0];
    const { body: created } = await api().post("/v1/apis/h7/tokens", {}).expect(201);
    await callback(created.token).expect(200);
    await waitFor(async () => (await tokens()).find((token) => token.id === created.id)?.status === "active");
    await api().post(`/v1/apis/h7/tokens/${active.id}/revoke`, { reason: "leaked" }).expect(200);
    await callback(created.token).expect(200);
  });
});

// Two replicas deciding at the same instant: only the database can tell them apart.
describeOnPostgres("the last-usable-token guard across two replicas on PostgreSQL", () => {
  let testDatabase: TestDatabase;
  let replicaA: TestService;
  let replicaB: TestService;
  beforeAll(async () => {
    testDatabase = await createTestDatabase("postgresql");
    replicaA = await startTestService("postgresql", {}, undefined, testDatabase);
    replicaB = await startTestService("postgresql", {}, undefined, testDatabase);
  }, 60_000);
  afterAll(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await testDatabase?.drop();
  });

  /** An active token and a pending one Douane already presented: each alone keeps the API reachable. */
  async function twoReachableTokens(attempt: number): Promise<[number, number]> {
    const db = replicaA.db;
    await db.apiToken.deleteMany({ where: { api: "h7" } });
    const base = { api: "h7", source: "rotation", createdAt: new Date() };
    const active = await db.apiToken.create({
      data: {
        ...base,
        tokenHash: `a${attempt}`.padEnd(64, "0"),
        fingerprint: `a${attempt}`,
        status: "active",
        activeSlot: "h7",
      },
    });
    const pending = await db.apiToken.create({
      data: {
        ...base,
        tokenHash: `b${attempt}`.padEnd(64, "0"),
        fingerprint: `b${attempt}`,
        status: "pending",
        pendingSlot: "h7",
        firstSeenAt: new Date(),
      },
    });
    return [active.id, pending.id];
  }

  test("revoking both reachable tokens at the same instant through two replicas, without force, never leaves none (40 tries)", async () => {
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      const [activeId, pendingId] = await twoReachableTokens(attempt);
      const answers = await Promise.all([
        internal(replicaA).post(`/v1/apis/h7/tokens/${activeId}/revoke`, {}),
        internal(replicaB).post(`/v1/apis/h7/tokens/${pendingId}/revoke`, {}),
      ]);
      outcomes.push(
        answers
          .map((answer) => answer.status)
          .sort()
          .join("+"),
      );
      const left = await replicaA.db.apiToken.count({ where: { api: "h7", status: { in: ["active", "pending"] } } });
      expect({ attempt, left }).toEqual({ attempt, left: 1 });
    }
    expect(new Set(outcomes)).toEqual(new Set(["200+409"]));
  }, 120_000);
});
