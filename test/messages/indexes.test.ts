import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Db } from "../../src/db/client";
import { PrismaClient as PgClient } from "../../src/generated/postgres/client";
import { PrismaClient as SqliteClient } from "../../src/generated/sqlite/client";
import { listMessages, type MessageFilters } from "../../src/messages/queries";
import { listQuarantine } from "../../src/quarantine/queries";
import { databaseProviders } from "../support/databases";
import { startTestService, type TestService } from "../support/service";
import { seedRows } from "./messages";

/** Each filter of GET /v1/messages, with a value that few of the seeded rows have, and the index that must serve it. */
const cases: [string, MessageFilters, string][] = [
  ["api", { api: "rare" }, "Message_api_id_idx"],
  ["channel", { channel: "rare" }, "Message_channel_id_idx"],
  ["lrn", { lrn: "rare" }, "Message_lrn_id_idx"],
  ["mrn", { mrn: "rare" }, "Message_mrn_id_idx"],
  ["customsDeclarationReference", { customsDeclarationReference: "rare" }, "Message_customsDeclarationReference_id_idx"],
  ["customsRequestReference", { customsRequestReference: "rare" }, "Message_customsRequestReference_id_idx"],
  ["operatorRequestReference", { operatorRequestReference: "rare" }, "Message_operatorRequestReference_id_idx"],
  ["state", { state: "rare" }, "Message_state_id_idx"],
  ["validation", { validation: "invalid" }, "Message_validation_id_idx"],
  ["tokenId", { tokenId: 999 }, "Message_tokenId_id_idx"],
  ["receivedFrom and receivedTo", { receivedFrom: new Date("2020-01-01T00:10:00Z"), receivedTo: new Date("2020-01-01T00:11:00Z") }, "Message_receivedAt_id_idx"],
];

describe.each(databaseProviders())("indexes behind the internal queries on %s", (provider) => {
  let service: TestService;
  let logged: Db;
  const statements: { query: string; params: string }[] = [];

  beforeAll(async () => {
    service = await startTestService(provider);
    const rare = (i: number) => (i % 500 === 0 ? "rare" : `common-${i % 7}`);
    await seedRows(service.db, 5000, (i) => ({
      api: i % 500 === 0 ? "rare" : "h7", channel: rare(i), lrn: rare(i), mrn: rare(i), customsDeclarationReference: rare(i),
      customsRequestReference: rare(i), operatorRequestReference: rare(i), state: rare(i),
      validation: i % 500 === 0 ? "invalid" : "valid", tokenId: i % 500 === 0 ? 999 : 1,
    }));
    if (provider === "postgresql") await service.db.$executeRawUnsafe('ANALYZE "Message"'); // what autovacuum does in production
    logged = loggingClient(provider, service.config.database.url, (event) => statements.push(event));
  }, 60_000);
  afterAll(async () => {
    await logged?.$disconnect();
    await service?.stop();
  });

  /** The plan of the last statement Prisma sent, as text. */
  async function planOfLastStatement(): Promise<string> {
    const { query, params } = statements[statements.length - 1];
    const values = JSON.parse(params) as unknown[];
    const explain = provider === "sqlite" ? `EXPLAIN QUERY PLAN ${query}` : `EXPLAIN ${query}`;
    const rows = await service.db.$queryRawUnsafe<Record<string, unknown>[]>(explain, ...values);
    return rows.map((row) => String(row.detail ?? row["QUERY PLAN"])).join("\n");
  }

  test.each(cases)("the %s filter is served by its index, newest first", async (_name, filters, index) => {
    const page = await listMessages(logged, filters, { limit: 50 });
    expect(page.items.length).toBeGreaterThan(0);
    expect(await planOfLastStatement()).toContain(index);
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
