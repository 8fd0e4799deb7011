import path from "node:path";
import { readConfig } from "../src/config";

describe("configuration", () => {
  test("defaults serve an embedded SQLite file under ./data on port 8080", () => {
    const config = readConfig({});
    expect(config).toMatchObject({ PORT: 8080, VALIDATION_MODE: "reject", MAX_BODY_BYTES: 5 * 1024 * 1024 });
    expect(config.apis).toEqual([
      {
        name: "h7",
        envPrefix: "H7",
        basePath: "/dh7",
        token: undefined,
        authHeader: "authorization",
        messageIdPlaces: expect.any(Array),
      },
    ]);
    expect(config.database).toMatchObject({ provider: "sqlite", url: `file:${path.resolve("data/receiver.db")}` });
  });

  test.each(["postgres://u@h:5432/db", "postgresql://u@h:5432/db"])("%s selects PostgreSQL", (url) => {
    expect(readConfig({ DATABASE_URL: url }).database).toMatchObject({ provider: "postgresql", url });
  });

  test("retention and the archive are off by default; upkeep would run hourly", () => {
    const config = readConfig({});
    expect([
      config.RETENTION_DAYS,
      config.apis[0].retentionDays,
      config.ARCHIVE_DIR,
      config.UPKEEP_INTERVAL_MINUTES,
    ]).toEqual([undefined, undefined, undefined, 60]);
    const retained = readConfig({ RETENTION_DAYS: "3650", H7_RETENTION_DAYS: "400" });
    expect([retained.RETENTION_DAYS, retained.apis[0].retentionDays]).toEqual([3650, 400]);
  });

  test("X-Simulated is believed only when asked, or by default on a receiver wired to a sandbox instead of Douane", () => {
    expect(readConfig({}).SIMULATED_HEADER).toBe("ignore");
    expect(readConfig({ H7_DOUANE_URL: "https://edi.douane.gouv.fr/dh7/" }).SIMULATED_HEADER).toBe("ignore");
    expect(readConfig({ H7_DOUANE_URL: "http://localhost:8090/dh7" }).SIMULATED_HEADER).toBe("honour");
    expect(readConfig({ SIMULATED_HEADER: "honour" }).SIMULATED_HEADER).toBe("honour");
    expect(
      readConfig({ H7_DOUANE_URL: "http://localhost:8090/dh7", SIMULATED_HEADER: "ignore" }).SIMULATED_HEADER,
    ).toBe("ignore");
    expect(() => readConfig({ SIMULATED_HEADER: "yes" })).toThrow(/SIMULATED_HEADER/);
  });

  test("the auth header name is matched case-insensitively", () => {
    expect(readConfig({ H7_AUTH_HEADER: "X-Douane-Token" }).apis[0].authHeader).toBe("x-douane-token");
  });

  test.each([
    ["PORT", "eighty"],
    ["DATABASE_URL", "mysql://x"],
    ["VALIDATION_MODE", "lenient"],
    ["H7_BASE_PATH", "dh7"],
    ["H7_TOKEN", "short"],
    ["MAX_BODY_BYTES", "-1"],
    ["LOG_LEVEL", "loud"],
    ["TOKEN_ROTATION_WINDOW_MINUTES", "14"],
    ["INTERNAL_API_TOKEN", "long-enough-internal-token,short"],
    ["RETENTION_DAYS", "0"],
    ["H7_RETENTION_DAYS", "a week"],
    ["UPKEEP_INTERVAL_MINUTES", "-5"],
    ["DB_STATEMENT_TIMEOUT_MS", "50"],
    ["SQLITE_BUSY_TIMEOUT_MS", "soon"],
    ["SHUTDOWN_TIMEOUT_MS", "-1"],
    ["H7_TOKEN", "a-long-enough-token with-a-space"],
    ["TRUST_PROXY", "true"],
    ["TRUST_PROXY", "garbage"],
    ["TRUST_PROXY", "loopback,10.0.0.0/33"],
    ["TRUST_PROXY", "::1/129"],
  ])("a bad %s stops start-up with a message naming it", (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration:\\n  ${name}: `));
  });

  test("the internal credential is a comma-separated list, so it can be rotated", () => {
    expect(
      readConfig({ INTERNAL_API_TOKEN: " first-internal-token-0001 , second-internal-token-002," }).INTERNAL_API_TOKEN,
    ).toEqual(["first-internal-token-0001", "second-internal-token-002"]);
  });

  test("the rotation window is 30 minutes by default and never under Douane's 15-minute delay", () => {
    expect(readConfig({}).TOKEN_ROTATION_WINDOW_MINUTES).toBe(30);
    expect(readConfig({ TOKEN_ROTATION_WINDOW_MINUTES: "15" }).TOKEN_ROTATION_WINDOW_MINUTES).toBe(15);
  });

  test("every wait on the database is bounded by default, and the bounds travel with the database", () => {
    expect(readConfig({}).database.limits).toEqual({
      connectMs: 5000,
      statementMs: 10000,
      lockMs: 5000,
      keepAliveMs: 10000,
      sqliteBusyMs: 1000,
    });
    expect(readConfig({ DB_LOCK_TIMEOUT_MS: "300", SQLITE_BUSY_TIMEOUT_MS: "0" }).database.limits).toMatchObject({
      lockMs: 300,
      sqliteBusyMs: 0,
    });
    expect(readConfig({})).toMatchObject({ DB_COMMIT_TIMEOUT_MS: 15000, SHUTDOWN_TIMEOUT_MS: 25000 });
  });

  test("H7_TOKEN read from a file with a trailing newline or surrounding spaces is the token without them", () => {
    expect(readConfig({ H7_TOKEN: "  h7-token-from-a-file-0001\n" }).apis[0].token).toBe("h7-token-from-a-file-0001");
    expect(readConfig({ H7_TOKEN: "h7-token-from-a-file-0001\r\n" }).apis[0].token).toBe("h7-token-from-a-file-0001");
  });

  test("TRUST_PROXY takes a hop count, addresses, subnets and Express's named ranges, as Express does", () => {
    expect(readConfig({}).TRUST_PROXY).toBe(false);
    expect(readConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    for (const value of [
      "loopback",
      "loopback, 10.0.0.0/8",
      "10.0.0.0/255.0.0.0",
      "fe80::/10,127.0.0.1,linklocal,uniquelocal",
      "2001:db8::1",
    ]) {
      expect(readConfig({ TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
    }
  });

  test("an empty variable counts as unset", () => {
    expect(readConfig({ PORT: "" }).PORT).toBe(8080);
  });

  test("outbound is off by default; a token URL needs the grant's credentials, named without their values", () => {
    expect(readConfig({}).DOUANE_TOKEN_URL).toBeUndefined();
    expect(readConfig({})).toMatchObject({
      DOUANE_GRANT: "password",
      H7_DOUANE_URL: "https://edi.douane.gouv.fr/dh7",
      OUTBOUND_RETURN_TIMEOUT_MINUTES: 60,
    });
    const refused = () =>
      readConfig({
        DOUANE_TOKEN_URL: "https://auth.example/oauth2/token",
        DOUANE_CLIENT_ID: "app",
        DOUANE_PASSWORD: "Secret-Pa55word!",
      });
    expect(refused).toThrow(
      /^invalid configuration:\n {2}DOUANE_USERNAME: required with DOUANE_TOKEN_URL and DOUANE_GRANT=password/,
    );
    expect(refused).not.toThrow(/Pa55word/);
    expect(() =>
      readConfig({
        DOUANE_TOKEN_URL: "https://auth.example/t",
        DOUANE_GRANT: "client_credentials",
        DOUANE_CLIENT_ID: "app",
        DOUANE_CLIENT_SECRET_FILE: "/run/secrets/s",
      }),
    ).not.toThrow();
  });
});
