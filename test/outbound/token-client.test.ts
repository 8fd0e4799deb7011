import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readConfig } from "../../src/config";
import { credentialsReader } from "../../src/outbound/credentials";
import { AccessTokenClient, TokenUnavailable } from "../../src/outbound/token-client";
import { closedPort, type OAuthServer, startOAuthServer } from "../support/oauth-server";

const PASSWORD = "Initial-Pa55word!";

describe("Douane access tokens from a real OAuth2 server", () => {
  let oauth: OAuthServer;
  let dir: string;
  let now: Date;
  let outcomes: string[];
  beforeAll(async () => {
    oauth = await startOAuthServer({ ttl: 300 });
  }, 30_000);
  afterAll(() => oauth?.stop());
  beforeEach(async () => {
    await oauth.set({ accepted: PASSWORD, failNext: 0, ttl: 300 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "douane-credentials-"));
    fs.writeFileSync(path.join(dir, "password"), `${PASSWORD}\n`);
    now = new Date("2026-11-26T08:00:00Z");
    outcomes = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const clientWith = (env: Record<string, string> = {}) => {
    const config = readConfig({
      DOUANE_TOKEN_URL: oauth.tokenUrl,
      DOUANE_CLIENT_ID: "operator-app",
      DOUANE_CLIENT_SECRET: "client-secret-1",
      DOUANE_USERNAME: "FR12345678900012",
      DOUANE_PASSWORD_FILE: path.join(dir, "password"),
      DOUANE_SCOPE: "dh7",
      ...env,
    });
    return new AccessTokenClient({
      tokenUrl: config.DOUANE_TOKEN_URL!,
      credentials: credentialsReader(config),
      timeoutMs: 5_000,
      refusedBackoffMs: config.DOUANE_REFUSED_BACKOFF_MINUTES * 60_000,
      clock: () => now,
      retryDelaysMs: [10, 10],
      onRequest: (outcome) => outcomes.push(outcome),
    });
  };
  const tokenRequests = async () => (await oauth.requests()).length;

  test("one token serves every caller until 30 s before it expires, then one new token is requested", async () => {
    const client = clientWith();
    const before = await tokenRequests();
    const first = await client.accessToken();
    expect(JSON.parse(Buffer.from(first.split(".")[1], "base64url").toString())).toMatchObject({
      sub: "FR12345678900012",
      scope: "dh7",
      amr: ["pwd"],
    });
    now = new Date(now.getTime() + 269_000);
    expect(await client.accessToken()).toBe(first);
    expect(await tokenRequests()).toBe(before + 1);
    now = new Date(now.getTime() + 2_000); // 29 s before expiry
    await client.accessToken();
    expect(await tokenRequests()).toBe(before + 2);
    expect(client.status()).toMatchObject({
      status: "green",
      state: "ok",
      expiresAt: new Date(now.getTime() + 300_000),
    });
  });

  test("100 concurrent callers cause one token request and all get the same token", async () => {
    const client = clientWith();
    const before = await tokenRequests();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => client.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(await tokenRequests()).toBe(before + 1);
    expect(outcomes).toEqual(["issued"]);
  });

  test("the password grant sends the API account with the client id; client credentials send the client alone", async () => {
    await clientWith().accessToken();
    await oauth.set({ accepted: "client-secret-1" });
    await clientWith({ DOUANE_GRANT: "client_credentials", DOUANE_CLIENT_AUTH: "body" }).accessToken();
    expect((await oauth.requests()).slice(-2)).toEqual([
      { grant: "password", clientId: "operator-app", username: "FR12345678900012", scope: "dh7" },
      { grant: "client_credentials", clientId: "operator-app", username: null, scope: "dh7" },
    ]);
  });

  test("a refused password stops token requests for the back-off period and turns status red with the reason", async () => {
    await oauth.set({ accepted: "Changed-Pa55word!" });
    const client = clientWith({ DOUANE_REFUSED_BACKOFF_MINUTES: "15" });
    const before = await tokenRequests();
    await expect(client.accessToken()).rejects.toMatchObject({ code: "credential_refused" });
    for (let i = 0; i < 5; i++) await expect(client.accessToken()).rejects.toBeInstanceOf(TokenUnavailable);
    expect(await tokenRequests()).toBe(before + 1);
    const status = client.status();
    expect(status).toMatchObject({ status: "red", state: "refused", retryAt: new Date(now.getTime() + 15 * 60_000) });
    expect(status.reason).toContain("invalid_grant");
    expect(JSON.stringify(status)).not.toContain("Pa55word");
    expect(outcomes).toEqual(["refused"]);

    now = new Date(now.getTime() + 15 * 60_000 + 1);
    await expect(client.accessToken()).rejects.toMatchObject({ code: "credential_refused" }); // tried once more after the back-off
    expect(await tokenRequests()).toBe(before + 2);
  });

  test("a refused client secret (invalid_client) stops token requests just as a refused password does", async () => {
    await oauth.set({ accepted: "the-right-secret" });
    const client = clientWith({ DOUANE_GRANT: "client_credentials" });
    const before = await tokenRequests();
    await expect(client.accessToken()).rejects.toMatchObject({
      code: "credential_refused",
      message: expect.stringContaining("invalid_client"),
    });
    await expect(client.accessToken()).rejects.toMatchObject({ code: "credential_refused" });
    expect(await tokenRequests()).toBe(before + 1);
    expect(client.status()).toMatchObject({ status: "red", state: "refused" });
  });

  test("a password changed in its file is used by the next token request, without a restart, even during a back-off", async () => {
    const client = clientWith();
    await client.accessToken();
    await oauth.set({ accepted: "Changed-Pa55word!" }); // changed at Douane: the next request is refused
    now = new Date(now.getTime() + 300_000);
    await expect(client.accessToken()).rejects.toMatchObject({ code: "credential_refused" });
    fs.writeFileSync(path.join(dir, "password"), "Changed-Pa55word!\n");
    await expect(client.accessToken()).resolves.toEqual(expect.any(String));
    expect(client.status()).toMatchObject({ status: "green", reason: null, retryAt: null });
  });

  test("server errors are retried with a pause, and give up with status yellow when they persist", async () => {
    await oauth.set({ failNext: 2 });
    const client = clientWith();
    await expect(client.accessToken()).resolves.toEqual(expect.any(String));
    expect(outcomes).toEqual(["server_error", "server_error", "issued"]);
    await oauth.set({ failNext: 3 });
    now = new Date(now.getTime() + 300_000);
    await expect(client.accessToken()).rejects.toMatchObject({ code: "token_server_unavailable" });
    expect(client.status()).toMatchObject({ status: "yellow", state: "failing" });
  });

  test("an unreadable password file is red, named by its variable, and no request is sent", async () => {
    const client = clientWith({ DOUANE_PASSWORD_FILE: path.join(dir, "missing") });
    const before = await tokenRequests();
    await expect(client.accessToken()).rejects.toMatchObject({
      code: "credentials_unreadable",
      message: "DOUANE_PASSWORD_FILE cannot be read: ENOENT",
    });
    expect(await tokenRequests()).toBe(before);
    expect(client.status()).toMatchObject({ status: "red", state: "misconfigured" });
  });

  test("an unreachable authorization server is a server error, retried, then reported", async () => {
    const client = new AccessTokenClient({
      tokenUrl: `http://127.0.0.1:${await closedPort()}/token`,
      credentials: credentialsReader(readConfig({ DOUANE_CLIENT_ID: "c", DOUANE_USERNAME: "u", DOUANE_PASSWORD: "p" })),
      timeoutMs: 2_000,
      refusedBackoffMs: 60_000,
      clock: () => now,
      retryDelaysMs: [10],
      onRequest: (outcome) => outcomes.push(outcome),
    });
    await expect(client.accessToken()).rejects.toMatchObject({
      code: "token_server_unavailable",
      message: expect.stringContaining("ECONNREFUSED"),
    });
    expect(outcomes).toEqual(["server_error", "server_error"]);
  });
});
