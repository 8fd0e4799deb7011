import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readConfig } from "../../src/config";
import { createLogger } from "../../src/http/logger";
import { createService } from "../../src/service";

describe("a SQLite database in a folder the service cannot write", () => {
  let folder: string;
  let made: string | null = null;
  beforeAll(() => {
    if (process.getuid?.() === 0) {
      folder = "/sys/kernel"; // root writes through any mode bits; sysfs refuses new files even to root
    } else {
      made = folder = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-read-only-"));
      fs.chmodSync(folder, 0o555);
    }
  });
  afterAll(() => made && fs.rmSync(made, { recursive: true, force: true }));

  test("stops start-up with a message naming the folder and the cause, before any migration runs", async () => {
    const config = readConfig({ DATABASE_URL: `file:${path.join(folder, "receiver.db")}`, LOG_LEVEL: "silent" });
    const starting = createService(config, createLogger("silent"));
    await expect(starting).rejects.toThrow(
      new RegExp(`^the SQLite database folder ${folder} is not writable \\((EACCES|EPERM|EROFS)\\): `),
    );
  });
});
