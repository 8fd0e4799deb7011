import { CLAIM_PASSES } from "../../src/delivery/claims";
import { databaseProviders } from "../support/databases";
import { startTestService, type TestService } from "../support/service";

const CLAIM_INDEX = "Delivery_destinationId_status_trigger_position_idx";
const BACKLOG = 4000;

/** The claim's SQL with literals for its parameters (destination 1, now, now, 10 slots), for EXPLAIN. */
const withLiterals = (sql: string) => {
  const values = ["1", "'2026-11-26T12:00:00.000+00:00'", "'2026-11-26T12:00:00.000+00:00'", "10"];
  return sql.replace(/\?/g, () => values.shift() ?? "?");
};

describe.each(databaseProviders())("the delivery claim's plan with a large backlog on %s", (provider) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService(provider);
    const at = new Date("2026-11-26T10:00:00Z");
    await service.db.delivery.createMany({
      data: Array.from({ length: BACKLOG }, (_, i) => ({
        destinationId: 1 + (i % 2),
        messageRowId: i + 1,
        position: i + 1,
        orderKey: `CDR-${i % 700}`,
        trigger: i % 10 === 0 ? "replay" : "live",
        status: i % 3 === 0 ? "delivered" : "pending",
        nextAttemptAt: at,
        createdAt: at,
      })),
    });
    if (provider === "postgresql") await service.db.$executeRawUnsafe('ANALYZE "Delivery"');
    else await service.db.$queryRawUnsafe("PRAGMA optimize = 0x10002");
  }, 60_000);
  afterAll(() => service?.stop());

  test("live deliveries are claimed by walking the claim index in feed order, never sorting the backlog", async () => {
    const plan = await explain(service, CLAIM_PASSES[0]);
    expect(plan).toContain(CLAIM_INDEX);
    // PostgreSQL may finish the tie on id with an Incremental Sort over the index's order: it streams, a full Sort would not.
    expect(plan).not.toMatch(provider === "sqlite" ? /TEMP B-TREE/ : /(^|->\s+)Sort\b/m);
  });

  test("replayed and redelivered ones are read through the same index, apart from the live backlog", async () => {
    expect(await explain(service, CLAIM_PASSES[1])).toContain(CLAIM_INDEX);
  });
});

async function explain(service: TestService, sql: string): Promise<string> {
  const prefix = service.config.database.provider === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN";
  const rows = (await service.db.$queryRawUnsafe(`${prefix} ${withLiterals(sql)}`)) as Record<string, unknown>[];
  return rows.map((row) => String(row.detail ?? row["QUERY PLAN"])).join("\n");
}
