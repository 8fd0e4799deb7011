import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { openDatabase } from "../../src/db/client";
import { archiveMessages } from "../../src/upkeep/archive";
import { importArchive } from "../../src/upkeep/archive-import";
import { purge } from "../../src/upkeep/purge";
import { runUpkeep } from "../../src/upkeep/run";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders } from "../support/databases";
import { errorH7Example, paths, responseH7Example, withMessageId } from "../support/examples";
import { postCallback, startTestService } from "../support/service";

const at = (iso: string) => new Date(iso);

describe.each(databaseProviders())("archive and retention on %s (injected clock)", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let now = at("2026-01-10T10:00:00Z");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-archive-"));
  const sent = new Map<string, Buffer>();
  const post = async (example: typeof errorH7Example | typeof responseH7Example, route: string) => {
    const body = Buffer.from(JSON.stringify(withMessageId(example)));
    const answer = await postCallback(service.publicApp, route, body).expect(200);
    sent.set(answer.body.messageId, body);
  };
  beforeAll(async () => {
    service = await startTestService(provider, {}, () => now);
    for (let i = 0; i < 3; i++) await post(errorH7Example, paths.error); // 2026-01-10
    await postCallback(service.publicApp, paths.error, "{").expect(400); // quarantined on 2026-01-10
    now = at("2026-01-12T23:59:59Z");
    await post(responseH7Example, paths.response()); // 2026-01-12
    await post(responseH7Example, paths.response());
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("without an archive, a purge keeps every message and removes old quarantine rows and token events", async () => {
    const retention = { days: 5, byApi: { h7: undefined } };
    const dry = await purge(service.db, { now: at("2026-01-20T00:00:00Z"), retention, archiveDir: dir, dryRun: true });
    expect(dry.tables).toEqual([
      expect.objectContaining({ table: "Message", api: "h7", removed: 0, keptNotArchived: 5 }),
      expect.objectContaining({ table: "QuarantinedBody", api: "h7", removed: 1, keptNotArchived: 0 }),
      expect.objectContaining({ table: "TokenEvent", api: "h7", removed: 1 }),
      expect.objectContaining({ table: "Delivery", api: null, removed: 0 }),
    ]);
    expect(await service.db.quarantinedBody.count()).toBe(1); // a dry run removes nothing

    await purge(service.db, { now: at("2026-01-20T00:00:00Z"), retention, archiveDir: dir, dryRun: false, batch: 2 });
    expect(await service.db.message.count()).toBe(5);
    expect(await service.db.quarantinedBody.count()).toBe(0);
    expect(await service.db.tokenEvent.count()).toBe(0);
  });

  test("a day is archived only once it has been over for an hour, with its manifest, every body byte for byte", async () => {
    const early = await archiveMessages(service.db, dir, at("2026-01-13T00:30:00Z"));
    expect(early.parts.map((part) => part.day)).toEqual(["2026-01-10"]); // 2026-01-12 ended 30 minutes ago
    const run = await archiveMessages(service.db, dir, at("2026-01-13T01:00:00Z"));
    expect(run).toEqual({
      throughDay: "2026-01-12",
      parts: [
        {
          day: "2026-01-12",
          part: 1,
          file: path.join("2026", "01", "messages-2026-01-12-part1.ndjson.gz"),
          messages: 2,
        },
      ],
    });

    const file = path.join(dir, "2026", "01", "messages-2026-01-10-part1.ndjson.gz");
    const lines = zlib
      .gunzipSync(fs.readFileSync(file))
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(Buffer.from(line.rawBodyBase64, "base64").equals(sent.get(line.messageId)!)).toBe(true);
      expect(line).toMatchObject({
        api: "h7",
        channel: "declaration_error",
        lrn: "TEST123456",
        receivedAt: "2026-01-10T10:00:00.000Z",
        simulated: false,
      });
    }
    const manifest = JSON.parse(fs.readFileSync(file.replace(".ndjson.gz", ".manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      format: "douane-callback-receiver.archive/1",
      day: "2026-01-10",
      part: 1,
      messages: 3,
      byApi: { h7: 3 },
    });
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await archiveMessages(service.db, dir, at("2026-01-14T01:00:00Z"))).parts).toEqual([]); // nothing new
  });

  test("a message stored later for an archived day goes into a new part of that day", async () => {
    now = at("2026-01-10T18:00:00Z");
    await post(errorH7Example, paths.error);
    const run = await archiveMessages(service.db, dir, at("2026-01-14T02:00:00Z"));
    expect(run.parts).toEqual([expect.objectContaining({ day: "2026-01-10", part: 2, messages: 1 })]);
  });

  test("archive verify finds a damaged file; a purge then removes only messages in verified archives, and keeps the rest", async () => {
    const env = { DATABASE_URL: service.testDatabase.database.url, ARCHIVE_DIR: dir };
    expect(await cli(env, "archive", "verify")).toMatchObject({ code: 0 });
    fs.appendFileSync(path.join(dir, "2026", "01", "messages-2026-01-12-part1.ndjson.gz"), "x");
    const verify = await cli(env, "archive", "verify");
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/messages-2026-01-12-part1\.ndjson\.gz\s+-\s+damaged\s+.*does not match its SHA-256/);

    const report = await purge(service.db, {
      now: at("2026-01-20T00:00:00Z"),
      retention: { byApi: { h7: 5 } },
      archiveDir: dir,
      dryRun: false,
      batch: 2,
    });
    expect(report.tables[0]).toMatchObject({ table: "Message", removed: 4, keptNotArchived: 2 });
    expect(report.damagedArchives).toEqual([
      expect.stringContaining("messages-2026-01-12-part1.ndjson.gz does not match its SHA-256"),
    ]);
    const left = await service.db.message.findMany({ select: { receivedAt: true } });
    expect(left.map((row) => row.receivedAt.toISOString())).toEqual([
      "2026-01-12T23:59:59.000Z",
      "2026-01-12T23:59:59.000Z",
    ]);
  });

  test("archive import restores an archive's messages into another database, once however often it runs, and never replaces a stored body", async () => {
    const other = await createTestDatabase(provider);
    const db = await openDatabase(other.database);
    try {
      const file = path.join(dir, "2026", "01", "messages-2026-01-10-part1.ndjson.gz");
      const [first] = zlib
        .gunzipSync(fs.readFileSync(file))
        .toString("utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      await db.message.create({
        data: {
          api: "h7",
          channel: "declaration_error",
          messageId: first.messageId,
          pathParams: "{}",
          rawBody: Buffer.from("another body") as Uint8Array<ArrayBuffer>,
          bodySha256: "0".repeat(64),
          contentType: "application/json",
          headers: "{}",
          receivedAt: now,
          validation: "valid",
          findings: "[]",
        },
      });

      const report = await importArchive(db, file);
      expect(report).toMatchObject({
        messages: 3,
        imported: 2,
        alreadyPresent: 0,
        conflicts: [{ api: "h7", messageId: first.messageId }],
      });
      expect(await importArchive(db, file)).toMatchObject({ imported: 0, alreadyPresent: 2 });
      const rows = await db.message.findMany({ orderBy: { id: "asc" } });
      expect(Buffer.from(rows[0].rawBody).toString()).toBe("another body");
      for (const row of rows.slice(1)) {
        expect(Buffer.from(row.rawBody).equals(sent.get(row.messageId)!)).toBe(true);
        expect(row).toMatchObject({
          receivedAt: at("2026-01-10T10:00:00Z"),
          lrn: "TEST123456",
          channel: "declaration_error",
        });
      }
      const imported = await cli({ DATABASE_URL: other.database.url }, "archive", "import", file);
      expect(imported.stdout).toMatch(/^alreadyPresent\s+2$/m);
    } finally {
      await db.$disconnect();
      await other.drop();
    }
  });
});

test("db purge needs --dry-run or --yes, and says so when retention is off", async () => {
  const database = await createTestDatabase("sqlite");
  try {
    const env = { DATABASE_URL: database.database.url };
    expect(await cli(env, "db", "purge")).toMatchObject({
      code: 1,
      stderr: "error: choose --dry-run (count only) or --yes (remove)\n",
    });
    expect(await cli(env, "db", "purge", "--yes")).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("retention is off"),
    });
    const dry = await cli({ ...env, RETENTION_DAYS: "30" }, "db", "purge", "--dry-run");
    expect(dry.stdout).toMatch(/^table\s+api\s+before\s+wouldRemove\s+keptNotArchived\s+keptPendingDelivery$/m);
    expect(dry.stdout).toMatch(/^Message\s+h7\s+\S+\s+0\s+0\s+0$/m);
  } finally {
    await database.drop();
  }
});

test.each(databaseProviders())(
  "on %s, H7_RETENTION_DAYS overrides RETENTION_DAYS, and without ARCHIVE_DIR an upkeep pass removes old messages",
  async (provider) => {
    let now = at("2026-03-01T12:00:00Z");
    const service = await startTestService(provider, {}, () => now);
    try {
      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
      now = at("2026-03-05T12:00:00Z");
      const recent = await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
      const later = at("2026-03-06T00:00:00Z");

      await runUpkeep(service.db, { ...service.config, RETENTION_DAYS: 30 }, later);
      expect(await service.db.message.count()).toBe(2);
      const { archive, purge: report } = await runUpkeep(
        service.db,
        {
          ...service.config,
          RETENTION_DAYS: 30,
          apis: service.config.apis.map((api) => ({ ...api, retentionDays: 3 })),
        },
        later,
      );
      expect(archive).toBeNull();
      expect(report?.tables[0]).toMatchObject({
        table: "Message",
        api: "h7",
        before: "2026-03-03T00:00:00.000Z",
        removed: 1,
      });
      expect(await service.db.message.findMany({ select: { messageId: true } })).toEqual([
        { messageId: recent.body.messageId },
      ]);
      expect((await service.db.upkeepMark.findUnique({ where: { task: "purge" } }))?.at).toEqual(later);
    } finally {
      await service.stop();
    }
  },
  60_000,
);
