import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../../src/http/logger";
import { startUpkeep } from "../../src/upkeep/run";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService } from "../support/service";

const realSetTimeout = setTimeout; // before jest fakes it
/** Waits (in real time) until `check` holds, or gives up after 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 10_000; !(await check()) && Date.now() < end; )
    await new Promise((resolve) => realSetTimeout(resolve, 20));
}

test.each(databaseProviders())(
  "on %s, upkeep runs a minute after the start, then every UPKEEP_INTERVAL_MINUTES",
  async (provider) => {
    let now = new Date("2026-02-01T10:00:00Z");
    const service = await startTestService(provider, {}, () => now);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-schedule-"));
    const logger = createLogger("silent");
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask", "Date", "hrtime", "performance"] });
    try {
      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
      const marks = async () =>
        (await service.db.archivePart.findMany({ select: { day: true } })).map((row) => row.day);

      const stop = startUpkeep(
        service.db,
        { ...service.config, ARCHIVE_DIR: dir, UPKEEP_INTERVAL_MINUTES: 5 },
        logger,
        () => now,
      );
      now = new Date("2026-02-03T10:00:00Z");
      jest.advanceTimersByTime(59_000);
      await new Promise((resolve) => realSetTimeout(resolve, 300));
      expect(await service.db.upkeepMark.count()).toBe(0);
      jest.advanceTimersByTime(1_000);
      await eventually(async () => (await marks()).length > 0);
      expect(await marks()).toEqual(["2026-02-01"]);

      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200); // 2026-02-03
      now = new Date("2026-02-05T10:00:00Z");
      jest.advanceTimersByTime(5 * 60_000);
      await eventually(async () => (await marks()).length > 1);
      expect(await marks()).toEqual(["2026-02-01", "2026-02-03"]);
      stop();
    } finally {
      jest.useRealTimers();
      await service.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
