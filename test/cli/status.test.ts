import { cli } from "../support/cli";
import {
  createEmptyTestDatabase,
  createTestDatabase,
  databaseProviders,
  type TestDatabase,
} from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, TEST_TOKEN } from "../support/service";

describe.each(databaseProviders())("status and db migrate on %s", (provider) => {
  let testDatabase: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
  }, 60_000);
  afterAll(() => testDatabase?.drop());

  test("status is red (exit 2) without a token, green (exit 0) with one, yellow (exit 1) during a rotation, with the last callback and the quarantine", async () => {
    const red = await cli(env, "status");
    expect(red.code).toBe(2);
    expect(red.stdout).toMatch(
      /^api\s+basePath\s+authHeader\s+status\s+usableTokens\s+lastCallbackAt\s+quarantinedOpen$/m,
    );
    expect(red.stdout).toMatch(/^h7\s+\/dh7\s+authorization\s+red\s+0\s+-\s+0$/m);
    expect(red.stdout).toContain("h7: no usable token, every callback gets 401");

    const service = await startTestService(provider, {}, undefined, testDatabase); // seeds TEST_TOKEN
    try {
      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
      await postCallback(service.publicApp, paths.error, "{").expect(400);
    } finally {
      await service.stop();
    }
    // The base path the service recorded in the database is the one shown, whatever the CLI's environment says.
    const greenRun = await cli({ ...env, H7_BASE_PATH: "/douane/dh7" }, "--json", "status");
    expect(greenRun.code).toBe(0);
    const green = JSON.parse(greenRun.stdout);
    expect(green.items).toEqual([
      expect.objectContaining({
        api: "h7",
        basePath: "/dh7",
        authHeader: "authorization",
        status: "green",
        usableTokens: 1,
        lastCallbackAt: expect.stringMatching(/^\d{4}-.*Z$/),
        quarantinedOpen: 1,
        overdueExpectations: 0,
        warnings: [],
        lastCallbackByChannel: expect.objectContaining({
          declaration_error: green.items[0].lastCallbackAt,
          declaration_response: null,
        }),
      }),
    ]);

    expect((await cli(env, "tokens", "rotate")).code).toBe(0);
    const yellow = await cli(env, "status");
    expect(yellow.code).toBe(1);
    expect(yellow.stdout).toMatch(/^h7\s+\/dh7\s+authorization\s+yellow\s+2\s/m);
    expect((await cli(env, "status")).stdout).not.toContain(TEST_TOKEN);
  });
});

test.each(databaseProviders())(
  "db migrate applies every migration to an empty %s database, and again is a no-op",
  async (provider) => {
    const empty = await createEmptyTestDatabase(provider);
    try {
      const env = { DATABASE_URL: empty.database.url };
      expect((await cli(env, "messages", "list")).code).toBe(1); // no tables yet
      expect(await cli(env, "db", "migrate")).toEqual({ code: 0, stdout: "migrations applied\n", stderr: "" });
      expect(await cli(env, "db", "migrate")).toMatchObject({ code: 0 });
      expect(await cli(env, "messages", "list")).toEqual({ code: 0, stdout: "(none)\n", stderr: "" });
    } finally {
      await empty.drop();
    }
  },
  60_000,
);

test("every command has --help", async () => {
  const commands = [
    [],
    ["status"],
    ["messages"],
    ["messages", "list"],
    ["messages", "show"],
    ["quarantine"],
    ["quarantine", "list"],
    ["quarantine", "show"],
    ["quarantine", "accept"],
    ["quarantine", "dismiss"],
    ["tokens"],
    ["tokens", "list"],
    ["tokens", "rotate"],
    ["tokens", "activate"],
    ["tokens", "revoke"],
    ["tokens", "cancel"],
    ["tokens", "events"],
    ["db"],
    ["db", "migrate"],
    ["db", "backup"],
    ["db", "restore"],
    ["db", "purge"],
    ["archive"],
    ["archive", "run"],
    ["archive", "verify"],
    ["archive", "import"],
    ["simulate"],
  ];
  for (const argv of commands) {
    const { code, stdout } = await cli({}, ...argv, "--help");
    expect({
      argv,
      code,
      usage: stdout.startsWith(`Usage: douane-callback-receiver ${argv.join(" ")}`.trimEnd()),
    }).toEqual({ argv, code: 0, usage: true });
  }
  const top = (await cli({}, "--help")).stdout;
  for (const name of ["status", "messages", "quarantine", "tokens", "db", "simulate"])
    expect(top).toMatch(new RegExp(`^  ${name}\\b`, "m"));
});
