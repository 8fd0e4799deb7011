import { readConfig } from "../src/config";
import { createLogger } from "../src/http/logger";
import { createService } from "../src/service";
import { createEmptyTestDatabase, databaseProviders } from "./support/databases";
import { errorH7Example, paths } from "./support/examples";
import { postCallback, TEST_TOKEN } from "./support/service";

describe.each(databaseProviders())("starting on an empty %s database", (provider) => {
  test("the migrations are applied, the token seeded once, and callbacks served", async () => {
    const testDatabase = await createEmptyTestDatabase(provider);
    const config = { ...readConfig({ H7_TOKEN: TEST_TOKEN, LOG_LEVEL: "silent" }), database: testDatabase.database };
    try {
      const first = await createService(config, createLogger("silent"));
      await postCallback(first.publicApp, paths.error, errorH7Example).expect(200);
      await first.close();
      // A restart finds the schema in place and the token already seeded.
      const second = await createService(config, createLogger("silent"));
      expect(await second.db.apiToken.count()).toBe(1);
      expect((await postCallback(second.publicApp, paths.error, errorH7Example).expect(200)).body.duplicate).toBe(true);
      await second.close();
    } finally {
      await testDatabase.drop();
    }
  }, 60_000);
});
