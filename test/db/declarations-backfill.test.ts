import { createHash } from "node:crypto";
import { type Db, openDatabase } from "../../src/db/client";
import { applyMigrations } from "../../src/db/migrate";
import { examineMessage } from "../../src/douane/examine";
import { h7Channels, matchChannel } from "../../src/douane/h7/channels";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, registrationH7Example, responseH7Example } from "../support/examples";

/** Messages as an older version stored them, before MessageDeclaration existed: path and body as Douane sent them. */
const stored: { path: string; body: string }[] = [
  {
    path: "/declarations/CDR-B1/reponses",
    body: JSON.stringify({
      ...responseH7Example,
      lrn: "ROOT",
      header: { ...responseH7Example.header, messageId: "b1", customsDeclarationReference: "CDR-B1" },
    }),
  },
  {
    path: "/declarations/CDR-B2/reponses",
    body: JSON.stringify({ ...responseH7Example, header: { messageId: "b2", lrn: "LRN-B2" } }),
  },
  {
    path: "/demandes/REQ-B3/enregistrement",
    body: JSON.stringify({
      ...registrationH7Example,
      header: { ...registrationH7Example.header, messageId: "b3", lrn: "HEADER" },
      declarations: [
        { lrn: "LRN-B3-0", customsDeclarationReference: "CDR-B3-0", mrn: "26FR00000000000030" },
        "not an object",
        { lrn: "", customsDeclarationReference: 42 },
        { customsDeclarationReference: "CDR-B3-3" },
      ],
    }),
  },
  {
    path: "/declarations/erreurs",
    body: JSON.stringify({ ...errorH7Example, header: { ...errorH7Example.header, messageId: "b4", lrn: "HEADER" } }),
  },
  { path: "/declarations/erreurs", body: JSON.stringify({ header: { messageId: "b5" }, lrn: "ROOT", error: [] }) },
  {
    path: "/declarations/erreurs",
    body:
      "\uFEFF" +
      JSON.stringify({ header: { messageId: "b6" }, declaration: { lrn: `LRN-B6-${"x".repeat(400)}` }, error: [] }),
  },
  {
    path: "/demandes/REQ-B7/invalidation",
    body: JSON.stringify({
      header: { messageId: "b7", lrn: "LRN-B7" },
      declarations: [{ customsDeclarationReference: "CDR-B7-0", state: "INV" }],
    }),
  },
];

describe.each(databaseProviders())(
  "migration 0002 back-fills the declarations of stored messages, on %s",
  (provider) => {
    let testDatabase: TestDatabase;
    let db: Db;
    const ids: number[] = [];

    beforeAll(async () => {
      testDatabase = await createTestDatabase(provider);
      db = await openDatabase(testDatabase.database);
      // Back to the schema before 0002, with rows in it, then migrate as a deployment would.
      await db.$executeRawUnsafe('DROP TABLE "MessageDeclaration"');
      await db.$executeRawUnsafe(
        `DELETE FROM "_prisma_migrations" WHERE "migration_name" = '0002_message_declarations'`,
      );
      for (const [i, { path, body }] of stored.entries()) ids.push(await insertAsBefore(db, `b${i + 1}`, path, body));
      ids.push(await insertAsBefore(db, "b8", "/declarations/erreurs", "{not json"));
      await db.$disconnect(); // SQLite: the CLI migrates through its own connection
      await applyMigrations(testDatabase.database);
      db = await openDatabase(testDatabase.database);
    }, 120_000);
    afterAll(async () => {
      await db?.$disconnect();
      await testDatabase?.drop();
    });

    test.each(stored.map((message, i) => [message.path, i] as const))(
      "the message on %s (#%i) names the declarations the intake would extract today",
      async (path, i) => {
        const rows = await db.messageDeclaration.findMany({
          where: { messageRowId: ids[i] },
          orderBy: { position: "asc" },
        });
        const expected = examine(path, stored[i].body).declarations;
        expect(rows.map(({ messageRowId: _id, ...row }) => row)).toEqual(expected);
      },
    );

    test.each(stored.map((message, i) => [message.path, i] as const))(
      "the message on %s (#%i) has the keys the intake would extract today",
      async (path, i) => {
        const row = await db.message.findUniqueOrThrow({ where: { id: ids[i] } });
        const { keys } = examine(path, stored[i].body);
        expect(Object.fromEntries(KEY_COLUMNS.map((column) => [column, row[column]]))).toEqual(
          Object.fromEntries(KEY_COLUMNS.map((column) => [column, keys[column]])),
        );
      },
    );

    test("a body that is not JSON names no declaration", async () => {
      expect(await db.messageDeclaration.count({ where: { messageRowId: ids[7] } })).toBe(0);
    });

    test("messages of the unknown channel are relabelled unchecked, the others keep their label", async () => {
      const rows = await db.message.findMany({
        where: { id: { in: ids } },
        orderBy: { id: "asc" },
        select: { channel: true, validation: true },
      });
      expect(rows.map((row) => row.validation)).toEqual(
        rows.map((row) => (row.channel === "unknown" ? "unchecked" : "valid")),
      );
    });
  },
);

const KEY_COLUMNS = [
  "lrn",
  "mrn",
  "customsDeclarationReference",
  "state",
  "customsRequestReference",
  "operatorRequestReference",
] as const;

function examine(path: string, body: string) {
  const { channel, pathParams } = matchChannel(h7Channels, path);
  return { channel, pathParams, ...examineMessage(channel, JSON.parse(body.replace(/^\uFEFF/, "")), pathParams) };
}

/** A row as the writer stored it before 0002. Its keys came from one lookup for every channel: on the unknown
 *  channel they are what it still finds; elsewhere they may be an unpublished member's (here "OLD"). */
async function insertAsBefore(db: Db, messageId: string, path: string, body: string): Promise<number> {
  const examined = body.startsWith("{n") ? { ...matchChannel(h7Channels, path), keys: {} } : examine(path, body);
  const { channel, pathParams } = examined;
  const keys =
    channel.name === "unknown"
      ? examined.keys
      : { ...examined.keys, ...Object.fromEntries(KEY_COLUMNS.map((column) => [column, "OLD"])) };
  const rawBody = Buffer.from(body);
  const row = await db.message.create({
    data: {
      ...keys,
      api: "h7",
      channel: channel.name,
      messageId,
      pathParams: JSON.stringify(pathParams),
      rawBody,
      contentType: "application/json",
      bodySha256: createHash("sha256").update(rawBody).digest("hex"),
      headers: "{}",
      receivedAt: new Date(),
      validation: "valid",
      findings: "[]",
    },
    select: { id: true },
  });
  return row.id;
}
