import { errorMessage, responseMessage } from "../messages/messages";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";

describe.each(databaseProviders())("the messages CLI on %s", (provider) => {
  let testDatabase: TestDatabase;
  let service: TestService;
  let env: Record<string, string>;
  const ids: number[] = [];
  const sent = [
    responseMessage({ customsDeclarationReference: "CDR-C1", lrn: "LRN-C1", state: "ACC" }),
    errorMessage({ lrn: "LRN-C2" }),
    responseMessage({ customsDeclarationReference: "CDR-C1", state: "BAE" }),
  ];
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
    service = await startTestService(provider, {}, undefined, testDatabase);
    for (const message of sent) {
      const path = "declarationState" in message ? paths.response("CDR-C1") : paths.error;
      ids.push((await postCallback(service.publicApp, path, message).expect(200)).body.id);
    }
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await testDatabase?.drop();
  });

  test("messages list prints a table of the stored messages, newest first", async () => {
    const { code, stdout, stderr } = await cli(env, "messages", "list");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^id\s+receivedAt\s+channel\s+messageId\s+lrn\s+mrn\s+customsDeclarationReference\s+state\s+validation$/,
    );
    expect(lines.slice(1).map((line) => Number(line.split(/\s+/)[0]))).toEqual([...ids].reverse());
    expect(stdout).toContain(sent[1].header.messageId);
  });

  test("messages list --json answers exactly what GET /v1/messages answers, with the same filters", async () => {
    for (const [argv, query] of [
      [["--customs-declaration-reference", "CDR-C1"], "customsDeclarationReference=CDR-C1"],
      [["--lrn", "LRN-C2", "--channel", "declaration_error"], "lrn=LRN-C2&channel=declaration_error"],
      [["--state", "BAE", "--validation", "valid"], "state=BAE&validation=valid"],
      [["--received-from", "2000-01-01T00:00:00Z", "--limit", "2"], "receivedFrom=2000-01-01T00:00:00Z&limit=2"],
    ] as const) {
      const { code, stdout } = await cli(env, "--json", "messages", "list", ...argv);
      expect(code).toBe(0);
      const { body } = await internal(service).get(`/v1/messages?${query}`).expect(200);
      expect(JSON.parse(stdout)).toEqual(body);
    }
  });

  test("messages list pages with --limit and --cursor, and names a bad option as typed", async () => {
    const first = JSON.parse((await cli(env, "--json", "messages", "list", "--limit", "2")).stdout);
    expect(first.items.map((item: { id: number }) => item.id)).toEqual([ids[2], ids[1]]);
    const human = await cli(env, "messages", "list", "--limit", "2");
    expect(human.stdout).toContain(`more: add --cursor ${first.nextCursor}`);
    const second = JSON.parse(
      (await cli(env, "--json", "messages", "list", "--limit", "2", "--cursor", first.nextCursor)).stdout,
    );
    expect(second).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });

    const bad = await cli(env, "messages", "list", "--received-from", "yesterday", "--validation", "maybe");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}--validation: .+$/m);
    expect(bad.stderr).toMatch(/^ {2}--received-from: .+$/m);
    expect((await cli(env, "messages", "list", "--lnr", "x")).stderr).toContain("unknown option '--lnr'");
  });

  test("messages show prints the metadata then the payload; --json is the API's detail; --raw the bytes Douane sent", async () => {
    const human = await cli(env, "messages", "show", String(ids[0]));
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^id\s+\d+$/m);
    expect(human.stdout).toMatch(/^customsDeclarationReference\s+CDR-C1$/m);
    expect(human.stdout).toContain(`payload:\n${JSON.stringify(sent[0], null, 2)}`);

    const { body } = await internal(service).get(`/v1/messages/${ids[0]}`).expect(200);
    expect(JSON.parse((await cli(env, "messages", "show", String(ids[0]), "--json")).stdout)).toEqual(body);
    expect((await cli(env, "messages", "show", String(ids[1]), "--raw")).stdout).toBe(JSON.stringify(sent[1]));

    expect(await cli(env, "messages", "show", "999999")).toMatchObject({
      code: 1,
      stderr: "error: no message with id 999999\n",
    });
    expect((await cli(env, "messages", "show", "one")).stderr).toContain("not a message id: one");
  });

  test("messages show prints amounts with the digits Douane sent, as the API does", async () => {
    const message = responseMessage({ customsDeclarationReference: "CDR-C9" });
    const text = JSON.stringify({
      ...message,
      dutiesAndTaxes: {
        generalTaxation: { guaranteedAmount: "@1", unguaranteedAmount: "@2", totalPayableTaxAmount: 0 },
      },
    })
      .replace('"@1"', "9999999999999999")
      .replace('"@2"', "12.50");
    const id = (await postCallback(service.publicApp, paths.response("CDR-C9"), text).expect(200)).body.id;
    for (const argv of [[], ["--json"]]) {
      const { stdout } = await cli(env, "messages", "show", String(id), ...argv);
      expect(stdout).toContain('"guaranteedAmount": 9999999999999999');
      expect(stdout).toContain('"unguaranteedAmount": 12.50');
    }
  });
});
