import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, withMessageId } from "../support/examples";
import { postCallback, startTestService } from "../support/service";
import { waitFor } from "../support/wait";

describe.each(databaseProviders())("the apis CLI on %s", (provider) => {
  let testDatabase: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
  }, 60_000);
  afterAll(() => testDatabase?.drop());

  test("a move declared from the command line is served by a running service, refused twice, and cancelled", async () => {
    const service = await startTestService(provider, {}, undefined, testDatabase);
    try {
      const moved = await cli(
        env,
        "apis",
        "move",
        "h7",
        "/edi/dh7",
        "--reason",
        "new proxy",
        "--actor",
        "ops-alice",
        "--json",
      );
      expect(moved.code).toBe(0);
      expect(
        JSON.parse(moved.stdout).map((path: { basePath: string; role: string }) => [path.basePath, path.role]),
      ).toEqual([
        ["/edi/dh7", "current"],
        ["/dh7", "previous"],
      ]);
      await waitFor(
        async () =>
          (await postCallback(service.publicApp, "/edi/dh7/declarations/erreurs", withMessageId(errorH7Example)))
            .status === 200,
        6_000,
      );

      const again = await cli(env, "apis", "move", "h7", "/v3/dh7");
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("refused (move_in_progress)");
      const early = await cli(env, "apis", "retire", "h7");
      expect(early.stderr).toContain("refused (window_not_over)");

      const table = await cli(env, "apis", "paths", "h7");
      expect(table.stdout).toMatch(/^id\s+basePath\s+role/);
      expect((await cli(env, "apis", "cancel-move", "h7")).code).toBe(0);
      expect(JSON.parse((await cli(env, "apis", "paths", "h7", "--json")).stdout)[0]).toMatchObject({
        basePath: "/edi/dh7",
        role: "cancelled",
      });
    } finally {
      await service.stop();
    }
  }, 60_000);
});
