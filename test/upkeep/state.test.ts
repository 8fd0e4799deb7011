import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { archiveMessages } from "../../src/upkeep/archive";
import { markDone } from "../../src/upkeep/marks";
import { cli } from "../support/cli";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);

describe.each(databaseProviders())("backups, archives and retention in metrics and status on %s", (provider) => {
  let now = new Date("2026-01-10T10:00:00Z");
  let service: Awaited<ReturnType<typeof startTestService>>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-state-"));
  beforeAll(async () => {
    service = await startTestService(provider, {}, () => now);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the metrics give the database size, the oldest message's age, and when the last backup, archive and purge finished (0: never)", async () => {
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
    now = new Date("2026-01-11T10:00:00Z");
    let text = (await internal(service).get("/metrics").expect(200)).text;
    expect(gauge(text, "receiver_database_size_bytes")).toBeGreaterThan(10_000);
    expect(gauge(text, "receiver_oldest_message_age_seconds")).toBe(86_400);
    expect(gauge(text, "receiver_last_backup_timestamp_seconds")).toBe(0);
    expect(gauge(text, "receiver_last_archive_timestamp_seconds")).toBe(0);

    await markDone(service.db, "backup", new Date("2026-01-11T09:00:00Z"), {});
    await archiveMessages(service.db, dir, new Date("2026-01-11T00:30:00Z")); // 2026-01-10 is not over for an hour yet
    text = (await internal(service).get("/metrics").expect(200)).text;
    expect(gauge(text, "receiver_last_backup_timestamp_seconds")).toBe(Date.parse("2026-01-11T09:00:00Z") / 1000);
    expect(gauge(text, "receiver_last_archive_timestamp_seconds")).toBe(Date.parse("2026-01-11T00:30:00Z") / 1000);
    expect(gauge(text, "receiver_archive_behind")).toBe(0); // retention is off
  });

  test("with retention on, status turns yellow while a finished day waits to be archived, and green once it is", async () => {
    const env = { DATABASE_URL: service.testDatabase.database.url, RETENTION_DAYS: "400", ARCHIVE_DIR: dir };
    const behind = await cli(env, "status");
    expect(behind.stdout).toMatch(/^h7\s+\/dh7\s+authorization\s+yellow\s/m);
    expect(behind.stdout).toContain(
      "warning: the archive is behind (archived through 2026-01-09), so the purge is held back",
    );
    expect(behind.stdout).toMatch(/^archiveBehind\s+yes$/m);
    expect(JSON.parse((await cli(env, "--json", "status")).stdout).upkeep).toMatchObject({
      archiveBehind: true,
      archivedThrough: "2026-01-09",
      lastBackupAt: "2026-01-11T09:00:00.000Z",
    });
    expect((await cli({ ...env, RETENTION_DAYS: "" }, "status")).stdout).toMatch(
      /^h7\s+\/dh7\s+authorization\s+green\s/m,
    ); // retention off

    expect((await cli(env, "archive", "run")).code).toBe(0);
    const caughtUp = await cli(env, "status");
    expect(caughtUp.stdout).toMatch(/^h7\s+\/dh7\s+authorization\s+green\s/m);
    expect(caughtUp.stdout).not.toContain("archive is behind");
  });
});
