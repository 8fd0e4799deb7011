import { createHash } from "node:crypto";
import { openStore, type Store } from "../../src/db/client";
import { storedHooks } from "../../src/delivery/enqueue";
import { noKeys } from "../../src/douane/contract";
import { groupInsert } from "../../src/messages/message-columns";
import type { MessageRecord } from "../../src/messages/records";
import { type Answered, MessageWriter, type StoreOutcome } from "../../src/messages/writer";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";

const NOW = new Date("2026-11-26T10:00:00.123Z");

function record(messageId: string, change: Partial<MessageRecord> & { body?: string } = {}): MessageRecord {
  const { body = `{"messageId":"${messageId}"}`, ...rest } = change;
  return {
    api: "h7",
    channel: "declaration_response",
    messageId,
    pathParams: {},
    rawBody: Buffer.from(body),
    storedBody: Buffer.from(body),
    rawBodyCompression: null,
    bodySha256: createHash("sha256").update(body).digest("hex"),
    contentType: "application/json",
    headers: {},
    receivedAt: NOW,
    tokenId: null,
    validation: "valid",
    findings: [],
    ...noKeys,
    declarations: [],
    simulated: false,
    ...rest,
  };
}

const idOf = (outcome: StoreOutcome) => ("id" in outcome ? outcome.id : Number.NaN);

const declaration = (position: number, customsDeclarationReference: string) => ({
  position,
  lrn: `LRN-${customsDeclarationReference}`,
  customsDeclarationReference,
  mrn: null,
});

describe.each(databaseProviders())("the intake's group commit on %s", (provider) => {
  let testDatabase: TestDatabase;
  let store: Store;
  let writer: MessageWriter;
  const destinations: { id: number; filter: { channels?: string[] } }[] = [];
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    store = await openStore(testDatabase.database);
    for (const filter of [{}, { channels: ["declaration_response"] }]) {
      const row = await store.db.destination.create({
        data: {
          url: "http://127.0.0.1:9/",
          filter: JSON.stringify(filter),
          secret: "whsec_x",
          createdAt: NOW,
          updatedAt: NOW,
        },
      });
      destinations.push({ id: row.id, filter });
    }
    const views = destinations.map(({ id, filter }) => ({
      ...{ id, filter, url: "http://127.0.0.1:9/", description: null, enabled: true, failingSince: null },
      ...{ previousSecretExpiresAt: null, createdAt: NOW, updatedAt: NOW },
    }));
    const hooks = storedHooks(
      provider,
      () => views,
      () => NOW,
    );
    writer = new MessageWriter(store.sql, { commitTimeoutMs: 10_000, afterInsert: hooks.writer });
  }, 60_000);
  afterAll(async () => {
    await store?.db.$disconnect();
    await testDatabase?.drop();
  });
  beforeEach(async () => {
    await store.db.delivery.deleteMany();
    await store.db.feedEntry.deleteMany();
    await store.db.message.deleteMany();
    await store.db.$executeRawUnsafe(`UPDATE "FeedCounter" SET "position" = 0`);
  });
  const storeAll = (records: MessageRecord[]) => Promise.all(records.map((r) => writer.store(r)));

  test("new messages, re-sends, copies and a conflict in one group: each answered, the new ones stored with their declarations, feed positions and deliveries", async () => {
    const [a, b] = (
      await storeAll([
        record("a", { customsDeclarationReference: "CDR-A", declarations: [declaration(0, "CDR-A")] }),
        record("b", { channel: "declaration_error" }),
      ])
    ).map(idOf);
    const group = [
      record("c", {
        customsDeclarationReference: "CDR-C",
        declarations: [declaration(0, "CDR-C"), declaration(1, "CDR-C2")],
      }),
      record("a", { customsDeclarationReference: "CDR-A", declarations: [declaration(0, "CDR-A")] }),
      record("b", { body: `{"other":true}` }),
      record("d", { channel: "declaration_error" }),
      record("c", { customsDeclarationReference: "CDR-C" }),
      record("e", { api: "gamma2", customsDeclarationReference: "CDR-E" }),
    ];
    const answers = await storeAll(group);
    const [c, , , d, , e] = answers.map(idOf);
    expect(answers).toEqual([
      { outcome: "stored", id: c },
      { outcome: "duplicate", id: a },
      { outcome: "conflict", id: b, storedBodySha256: record("b").bodySha256 },
      { outcome: "stored", id: d },
      { outcome: "duplicate", id: c },
      { outcome: "stored", id: e },
    ]);
    expect(a < b && b < c && c < d && d < e).toBe(true);

    const feed = await store.db.feedEntry.findMany({ orderBy: { position: "asc" } });
    expect(feed.map((entry) => [entry.position, entry.messageRowId])).toEqual([
      [1, a],
      [2, b],
      [3, c],
      [4, d],
      [5, e],
    ]);
    expect((await store.db.feedCounter.findUniqueOrThrow({ where: { id: 1 } })).position).toBe(5);

    const deliveries = await store.db.delivery.findMany({ orderBy: { id: "asc" } });
    const [all, responses] = destinations.map((destination) => destination.id);
    expect(deliveries.map((x) => [x.destinationId, x.messageRowId, x.position, x.orderKey])).toEqual([
      [all, a, 1, "CDR-A"],
      [responses, a, 1, "CDR-A"],
      [all, b, 2, null],
      [all, c, 3, "CDR-C"],
      [responses, c, 3, "CDR-C"],
      [all, d, 4, null],
      [all, e, 5, "CDR-E"],
      [responses, e, 5, "CDR-E"],
    ]);
    for (const delivery of deliveries)
      expect(delivery).toMatchObject({
        trigger: "live",
        status: "pending",
        attempts: 0,
        nextAttemptAt: NOW,
        createdAt: NOW,
      });

    const declarations = await store.db.messageDeclaration.findMany({
      orderBy: [{ messageRowId: "asc" }, { position: "asc" }],
    });
    expect(declarations.map((x) => [x.messageRowId, x.position, x.customsDeclarationReference, x.lrn])).toEqual([
      [a, 0, "CDR-A", "LRN-CDR-A"],
      [c, 0, "CDR-C", "LRN-CDR-C"],
      [c, 1, "CDR-C2", "LRN-CDR-C2"],
    ]);
    const stored = await store.db.message.findUniqueOrThrow({ where: { id: c } });
    expect(Buffer.from(stored.rawBody)).toEqual(group[0].rawBody);
  });

  test("a message committed under the same key by another writer while the group waits for it is answered as a duplicate", async () => {
    const elsewhere = record("raced");
    let commit: () => void = () => undefined;
    const committed = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let inserted: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const other = store.sql.transaction(async (sql) => {
      const insert = groupInsert([elsewhere]);
      await sql.query(insert.sql, insert.args);
      inserted();
      await committed;
    });
    await holding;
    const answer = writer.store(record("raced"));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the group's INSERT now waits for the other's row
    commit();
    await other;
    const id = (await store.db.message.findFirstOrThrow({ where: { messageId: "raced" } })).id;
    expect(await answer).toEqual({ outcome: "duplicate", id });
  });

  test("a group's answers say which of its keys have a quarantined body still open, whether stored, re-sent or in conflict", async () => {
    await store.db.quarantinedBody.deleteMany();
    const quarantined = async (api: string, messageId: string, closed: "open" | "accepted" | "dismissed") =>
      store.db.quarantinedBody.create({
        data: {
          ...{ api, messageId, channel: "declaration_response", pathParams: "{}", reason: "invalid_schema" },
          ...{ detail: "{}", rawBody: Buffer.from("{}"), bodySha256: "x", contentType: "application/json" },
          ...{ headers: "{}", receivedAt: NOW },
          ...(closed === "accepted" ? { acceptedAt: NOW } : closed === "dismissed" ? { dismissedAt: NOW } : {}),
        },
      });
    await storeAll([record("q-stored-before"), record("q-conflict")]);
    await quarantined("h7", "q-new", "open");
    await quarantined("h7", "q-stored-before", "open");
    await quarantined("h7", "q-conflict", "open");
    await quarantined("h7", "q-accepted", "accepted");
    await quarantined("h7", "q-dismissed", "dismissed");
    await quarantined("gamma2", "q-other-api", "open");
    const answered: Answered[] = [];
    const noting = new MessageWriter(store.sql, {
      commitTimeoutMs: 10_000,
      afterInsert: storedHooks(
        provider,
        () => [],
        () => NOW,
      ).writer,
      onAnswered: (group) => answered.push(...group),
    });
    const group = ["q-new", "q-stored-before", "q-accepted", "q-dismissed", "q-other-api", "q-none"].map((id) =>
      record(id),
    );
    await Promise.all([...group, record("q-conflict", { body: `{"changed":true}` })].map((r) => noting.store(r)));
    expect(
      answered.map(({ record, outcome, quarantined }) => [record.messageId, outcome.outcome, quarantined]),
    ).toEqual([
      ["q-new", "stored", true],
      ["q-stored-before", "duplicate", true],
      ["q-accepted", "stored", false],
      ["q-dismissed", "stored", false],
      ["q-other-api", "stored", false],
      ["q-none", "stored", false],
      ["q-conflict", "conflict", true],
    ]);
  });

  test("with the feed counter row missing nothing of the group is stored, and its callers get an error, not a refusal of their data", async () => {
    await store.db.feedCounter.deleteMany();
    try {
      await expect(storeAll([record("f1"), record("f2")])).rejects.toThrow(/FeedCounter row is missing/);
      expect(await store.db.message.count()).toBe(0);
      expect(writer.lastCommitFailed).toBe(true);
    } finally {
      await store.db.feedCounter.create({ data: { id: 1, position: 0 } });
    }
    expect(await storeAll([record("f1")])).toEqual([{ outcome: "stored", id: expect.any(Number) }]);
  });
});
