import os from "node:os";
import { errorMessage, responseMessage } from "../messages/messages";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";

describe.each(databaseProviders())("the quarantine CLI on %s", (provider) => {
  let testDatabase: TestDatabase;
  let service: TestService;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
    service = await startTestService(provider, {}, undefined, testDatabase);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await testDatabase?.drop();
  });
  const post = (path: string, body: unknown) => postCallback(service.publicApp, path, body);

  test("quarantine list shows refused bodies newest first, filtered by reason, as GET /v1/quarantine does", async () => {
    const schema = (await post(paths.error, { ...errorMessage(), error: "none" }).expect(400)).body.quarantineId;
    const json = (await post(paths.error, "{oops").expect(400)).body.quarantineId;
    const table = await cli(env, "quarantine", "list");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^id\s+receivedAt\s+reason\s+channel\s+messageId\s+acceptedAt\s+acceptedBy\s+messageRowId$/m,
    );
    expect(table.stdout.indexOf(`\n${json} `)).toBeLessThan(table.stdout.indexOf(`\n${schema} `));

    const filtered = JSON.parse((await cli(env, "--json", "quarantine", "list", "--reason", "invalid_json")).stdout);
    expect(filtered).toEqual((await internal(service).get("/v1/quarantine?reason=invalid_json").expect(200)).body);
    expect(filtered.items.map((item: { id: number }) => item.id)).toEqual([json]);
    expect((await cli(env, "quarantine", "list", "--reason", "bored")).stderr).toMatch(/--reason: /);

    const shown = await cli(env, "quarantine", "show", String(schema));
    expect(shown.stdout).toMatch(/^reason\s+invalid_schema$/m);
    expect(shown.stdout).toMatch(/^detail\s+\{.*"issues"/m);
    expect((await cli(env, "quarantine", "show", String(json), "--raw")).stdout).toBe("{oops");
  });

  test("quarantine accept stores the body as a message with who and why, once; refusals exit 1 with their reason", async () => {
    const message = { ...responseMessage({ customsDeclarationReference: "CDR-QC" }), dutiesAndTaxes: "missing" };
    const { quarantineId } = (await post(paths.response("CDR-QC"), message).expect(400)).body;
    const accepted = await cli(env, "quarantine", "accept", String(quarantineId), "--reason", "ticket 42", "--json");
    expect(accepted).toMatchObject({ code: 0, stderr: "" });
    const stored = JSON.parse(accepted.stdout);
    expect(stored).toMatchObject({
      messageId: message.header.messageId,
      acceptedBy: `cli:${os.userInfo().username}`,
      acceptedReason: "ticket 42",
      quarantineId,
      validation: "invalid",
    });
    expect((await internal(service).get(`/v1/messages/${stored.id}`).expect(200)).body).toEqual(stored);

    const again = await cli(env, "quarantine", "accept", String(quarantineId), "--reason", "twice");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `refused (already_accepted): quarantined body ${quarantineId} was already accepted (message ${stored.id})`,
    );

    const { quarantineId: anonymous } = (
      await post(paths.error, {
        ...errorMessage(),
        header: { messageDateTime: "2020-06-12T05:36:30-05:00[US/Central]" },
      }).expect(400)
    ).body;
    expect((await cli(env, "quarantine", "accept", String(anonymous), "--reason", "r")).stderr).toContain(
      "refused (message_id_required)",
    );
    const human = await cli(
      env,
      "quarantine",
      "accept",
      String(anonymous),
      "--reason",
      "Douane confirmed",
      "--message-id",
      "manual-0001",
      "--actor",
      "Camille",
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^acceptedBy\s+Camille$/m);
    expect(human.stdout).toMatch(/accepted: quarantined body \d+ is now message \d+/);

    const missingReason = await cli(env, "quarantine", "accept", String(quarantineId));
    expect(missingReason.code).not.toBe(0);
    expect(missingReason.stderr).toContain("required option '--reason <text>' not specified");
    expect((await cli(env, "quarantine", "accept", "999999", "--reason", "r")).stderr).toContain("refused (not_found)");
  });
});
