import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Db } from "../../src/db/client";
import { PrismaClient as PgClient } from "../../src/generated/postgres/client";
import { PrismaClient as SqliteClient } from "../../src/generated/sqlite/client";
import { declarationTimeline, listMessages, type MessageFilters } from "../../src/messages/queries";
import { listQuarantine } from "../../src/quarantine/queries";
import { databaseProviders } from "../support/databases";
import { startTestService, type TestService } from "../support/service";
import { seedRows } from "./messages";

/** Each filter of GET /v1/messages, with a value that few of the seeded rows have, and the index that must serve it. */
const cases: [string, MessageFilters, string][] = [
  ["api", { api: "rare" }, "Message_api_id_idx"],
  ["channel", { channel: "rare" }, "Message_channel_id_idx"],
  // The declaration keys match any declaration a message names, through MessageDeclaration.
  ["lrn", { lrn: "rare" }, "MessageDeclaration_lrn_messageRowId_idx"],
  ["mrn", { mrn: "rare" }, "MessageDeclaration_mrn_messageRowId_idx"],
  [
    "customsDeclarationReference",
    { customsDeclarationReference: "rare" },
    "MessageDeclaration_customsDeclarationReference_messageRowId_idx",
  ],
  ["customsRequestReference", { customsRequestReference: "rare" }, "Message_customsRequestReference_id_idx"],
  ["operatorRequestReference", { operatorRequestReference: "rare" }, "Message_operatorRequestReference_id_idx"],
  ["state", { state: "rare" }, "Message_state_id_idx"],
  ["validation", { validation: "invalid" }, "Message_validation_id_idx"],
  ["tokenId", { tokenId: 999 }, "Message_tokenId_id_idx"],
  [
    "receivedFrom and receivedTo",
    { receivedFrom: new Date("2020-01-01T00:10:00Z"), receivedTo: new Date("2020-01-01T00:11:00Z") },
    "Message_receivedAt_id_idx",
  ],
];

describe.each(databaseProviders())("indexes behind the internal queries on %s", (provider) => {
  let service: TestService;
  let logged: Db;
  const statements: { query: string; params: string }[] = [];

  beforeAll(async () => {
    service = await startTestService(provider);
    const rare = (i: number) => (i % 500 === 0 ? "rare" : `common-${i % 7}`);
    await seedRows(service.db, 5000, (i) => ({
      api: i % 500 === 0 ? "rare" : "h7",
      channel: rare(i),
      lrn: rare(i),
      mrn: rare(i),
      customsDeclarationReference: rare(i),
      customsRequestReference: rare(i),
      operatorRequestReference: rare(i),
      state: rare(i),
      validation: i % 500 === 0 ? "invalid" : "valid",
      tokenId: i % 500 === 0 ? 999 : 1,
    }));
    if (provider === "postgresql")
      await service.db.$executeRawUnsafe('ANALYZE "Message", "MessageDeclaration"'); // what autovacuum does in production
    else await service.db.$queryRawUnsafe("PRAGMA optimize = 0x10002"); // what the service does on opening
    logged = loggingClient(provider, service.config.database.url, (event) => statements.push(event));
  }, 60_000);
  afterAll(async () => {
    await logged?.$disconnect();
    await service?.stop();
  });

  /** The plan of the last statement Prisma sent (or of the one `back` before it), as text. */
  async function planOfLastStatement(back = 0): Promise<string> {
    const { query, params } = statements[statements.length - 1 - back];
    const values = JSON.parse(params) as unknown[];
    const explain = provider === "sqlite" ? `EXPLAIN QUERY PLAN ${query}` : `EXPLAIN ${query}`;
    const rows = await service.db.$queryRawUnsafe<Record<string, unknown>[]>(explain, ...values);
    return rows.map((row) => String(row.detail ?? row["QUERY PLAN"])).join("\n");
  }

  /** The plans of every statement `run` sends. */
  async function plansOf(run: () => Promise<unknown>): Promise<string> {
    const before = statements.length;
    await run();
    const plans = [];
    for (let back = statements.length - before - 1; back >= 0; back--) plans.push(await planOfLastStatement(back));
    return plans.join("\n");
  }

  /** Reading every row of Message: what no filter may cost once the table holds a million. */
  const fullScan = provider === "sqlite" ? /SCAN (main\.)?Message\s*$/m : /Seq Scan on "Message"/;

  test.each(cases)(
    "the %s filter is served by its index, newest first, without reading the whole table",
    async (_name, filters, index) => {
      const plans = await plansOf(async () =>
        expect((await listMessages(logged, filters, { limit: 50 })).items.length).toBeGreaterThan(0),
      );
      expect(plans).toContain(index);
      expect(plans).not.toMatch(fullScan);
    },
  );

  test("two declaration keys together are served by their indexes", async () => {
    const plans = await plansOf(() => listMessages(logged, { lrn: "rare", mrn: "rare" }, { limit: 50 }));
    expect(plans).toContain("MessageDeclaration_lrn_messageRowId_idx");
    expect(plans).toContain("MessageDeclaration_mrn_messageRowId_idx");
    expect(plans).not.toMatch(fullScan);
  });

  test("a declaration's timeline finds its messages through its index, without reading the whole table", async () => {
    let timeline: Awaited<ReturnType<typeof declarationTimeline>> = null;
    const plans = await plansOf(async () => (timeline = await declarationTimeline(logged, "rare")));
    expect(timeline!.messages.length).toBeGreaterThan(0);
    expect(plans).toContain("MessageDeclaration_customsDeclarationReference_messageRowId_idx");
    expect(plans).not.toMatch(fullScan);
  });

  test("Message carries only indexes that a query reads: every one costs each stored callback a write", async () => {
    const sql =
      provider === "sqlite"
        ? `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Message' AND sql IS NOT NULL`
        : `SELECT indexname::text AS name FROM pg_indexes WHERE tablename = 'Message' AND indexname <> 'Message_pkey'`;
    const rows = await service.db.$queryRawUnsafe<{ name: string }[]>(sql);
    expect(rows.map((row) => row.name).sort()).toEqual(
      [
        "Message_api_messageId_key", // exactly once per Douane message id
        ...cases.flatMap(([, , index]) => (index.startsWith("Message_") ? [index] : [])),
        "Message_lrn_id_idx", // an outbound declaration's returns (outbound/timeline.ts)
        "Message_simulated_id_idx", // purging certification traffic (upkeep/purge-steps.ts)
        "Message_api_channel_receivedAt_idx", // the last callback of each channel (status/report.ts)
      ].sort(),
    );
  });

  test("the quarantine's reason filter is served by its index", async () => {
    await listQuarantine(logged, { reason: "conflict" }, { limit: 50 });
    expect(await planOfLastStatement()).toContain("QuarantinedBody_reason_id_idx");
  });
});

function loggingClient(provider: string, url: string, onQuery: (event: { query: string; params: string }) => void): Db {
  const log = [{ emit: "event", level: "query" }] as const;
  if (provider === "postgresql") {
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: url, max: 1 }), log: [...log] });
    client.$on("query", onQuery);
    return client as unknown as Db;
  }
  const client = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url }), log: [...log] });
  client.$on("query", onQuery);
  return client as unknown as Db;
}
