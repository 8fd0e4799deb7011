import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN } from "../support/service";

describe.each(databaseProviders())("status on the tokens' health on %s", (provider) => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
  }, 60_000);
  afterAll(() => testDatabase?.drop());

  test("status is red while Douane presents a revoked token, and says when H7_TOKEN is a retired token", async () => {
    const service = await startTestService(provider, {}, undefined, testDatabase);
    try {
      const { body: created } = await internal(service).post("/v1/apis/h7/tokens", {}).expect(201);
      const activated = await internal(service)
        .post(`/v1/apis/h7/tokens/${created.id}/activate?force=true`, {})
        .expect(200);
      await internal(service)
        .post(`/v1/apis/h7/tokens/${activated.body.oldToken.id}/revoke`, { reason: "leaked" })
        .expect(200);
      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token: TEST_TOKEN }).expect(
        401,
      );
    } finally {
      await service.stop(); // flushes the refused presentation
    }
    const env = { DATABASE_URL: testDatabase.database.url, H7_TOKEN: TEST_TOKEN };
    const text = await cli(env, "status");
    expect(text.stdout).toMatch(/^h7\s+\/dh7\s+authorization\s+red\s+1\s/m);
    expect(text.stdout).toMatch(
      /^warning: h7: token [0-9a-f]{12}: Douane still presents the retired token \(last at \d{4}-.*Z\), revoked/m,
    );
    expect(text.stdout).toMatch(/^warning: h7: token [0-9a-f]{12}: H7_TOKEN is token [0-9a-f]{12}, which is revoked/m);
    expect(text.stdout).not.toContain("no usable token");
    expect(text.stdout).not.toContain(TEST_TOKEN);
    const json = JSON.parse((await cli(env, "--json", "status")).stdout);
    expect(json.items[0].warnings.map((warning: { code: string }) => warning.code)).toEqual([
      "retired_token_presented",
      "configured_token_retired",
    ]);
  }, 60_000);
});
