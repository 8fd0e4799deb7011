import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cli } from "../support/cli";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService } from "../support/service";

describe.each(databaseProviders())("the tokens CLI on %s", (provider) => {
  let testDatabase: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(provider);
    env = { DATABASE_URL: testDatabase.database.url };
  }, 60_000);
  afterAll(() => testDatabase?.drop());

  test("rotate, activate, events and list drive the lifecycle a running service honours", async () => {
    const service = await startTestService(provider, {}, undefined, testDatabase);
    try {
      const rotated = await cli(env, "tokens", "rotate", "--reason", "yearly", "--actor", "ops-alice", "--json");
      expect(rotated).toMatchObject({ code: 0, stderr: "" });
      const created = JSON.parse(rotated.stdout);
      expect(created).toMatchObject({ status: "pending", token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });

      const listed = await cli(env, "tokens", "list");
      expect(listed.stdout).toMatch(/^id\s+fingerprint\s+status/);
      expect(listed.stdout).toContain("pending");
      expect(listed.stdout).toContain("status: yellow");
      expect(listed.stdout).not.toContain(created.token);

      const unforced = await cli(env, "tokens", "activate", String(created.id));
      expect(unforced).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/refused \(never_presented\): Douane has never presented/),
      });
      const activated = await cli(
        env,
        "tokens",
        "activate",
        String(created.id),
        "--force",
        "--reason",
        "portal updated",
      );
      expect(activated).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^old token [0-9a-f]{12}: accepted until \d{4}-.*Z, refused from then on$/m),
      });
      await service.tokens.reload(); // what the service's 5-second refresh does
      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), {
        token: created.token,
      }).expect(200);

      const events = JSON.parse((await cli(env, "--json", "tokens", "events")).stdout).items;
      expect(
        events.slice(0, 2).map((event: { event: string; actor: string }) => `${event.event}:${event.actor}`),
      ).toEqual([`activated (forced):cli:${require("node:os").userInfo().username}`, "rotated:ops-alice"]);
      expect(JSON.stringify(events)).not.toContain(created.token);
    } finally {
      await service.stop();
    }
  }, 60_000);

  test("rotate no longer suggests activate and says until when the old token is accepted; extend gives a retiring token more time", async () => {
    const rotated = await cli(env, "tokens", "rotate");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).not.toMatch(/tokens activate|confirm/);
    expect(rotated.stdout).toMatch(/switches to it by itself/);
    expect(rotated.stdout).toMatch(/^old token [0-9a-f]{12}: accepted until 30 minutes after the switch/m);
    const created = Number(/^id\s+(\d+)$/m.exec(rotated.stdout)![1]);
    expect((await cli(env, "tokens", "activate", String(created), "--force")).code).toBe(0);
    const retiring = JSON.parse((await cli(env, "--json", "tokens", "list")).stdout).find(
      (token: { status: string }) => token.status === "retiring",
    );
    const extended = JSON.parse(
      (await cli(env, "--json", "tokens", "extend", String(retiring.id), "--minutes", "45", "--reason", "portal slow"))
        .stdout,
    );
    const until = new Date(new Date(retiring.expiresAt).getTime() + 45 * 60_000).toISOString();
    expect(extended).toMatchObject({
      id: retiring.id,
      status: "retiring",
      expiresAt: until,
      oldToken: { id: retiring.id, acceptedUntil: until },
    });
    const page = JSON.parse((await cli(env, "--json", "tokens", "events", "--limit", "1")).stdout);
    const [event] = page.items;
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(event).toMatchObject({ event: "extended", tokenId: retiring.id, reason: "portal slow" });
    const bad = await cli(env, "tokens", "extend", String(retiring.id), "--minutes", "0");
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining("--minutes") });
  });

  test("a refused change exits 1 with the reason, and a bad id is an error", async () => {
    const first = JSON.parse((await cli(env, "--json", "tokens", "rotate")).stdout);
    const second = await cli(env, "tokens", "rotate");
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/refused \(pending_exists\)/);
    expect((await cli(env, "tokens", "cancel", String(first.id))).code).toBe(0);
    expect((await cli(env, "tokens", "cancel", "abc")).stderr).toContain("not a token id");
    expect((await cli(env, "tokens", "revoke", "999999")).stderr).toContain("not_found");
  });
});

test("the CLI prints help for every command and refuses an unknown one", async () => {
  for (const argv of [["--help"], ["tokens", "--help"], ["tokens", "rotate", "--help"], ["db", "migrate", "--help"]]) {
    const { code, stdout } = await cli({}, ...argv);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage:");
  }
  const unknown = await cli({}, "tokns");
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain("unknown command");
});

test("the CLI runs as a program: a bad configuration is reported and exits 1", async () => {
  const run = promisify(execFile);
  const failure = await run(process.execPath, [require.resolve("tsx/cli"), "src/cli/main.ts", "tokens", "list"], {
    env: { ...process.env, DATABASE_URL: "mysql://nope" },
  }).catch((error) => error);
  expect(failure.code).toBe(1);
  expect(failure.stderr).toContain("DATABASE_URL");
}, 30_000);
