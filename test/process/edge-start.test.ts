import net from "node:net";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { type RunningServer, startServerProcess } from "../support/process";
import { TEST_TOKEN } from "../support/service";

// The edge's settings as main.ts applies them: read from the environment, refused at start when unsafe.
describe("the server process's edge settings", () => {
  let testDatabase: TestDatabase;
  const started: RunningServer[] = [];
  beforeAll(async () => {
    testDatabase = await createTestDatabase("sqlite");
  });
  afterEach(() => {
    for (const server of started.splice(0)) if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });
  afterAll(() => testDatabase?.drop());

  test.each(["true", "garbage", "10.0.0.0/8,nonsense"])(
    "TRUST_PROXY=%s stops start-up with a message naming it, not a stack trace",
    async (value) => {
      const failure = await startServerProcess(
        { DATABASE_URL: testDatabase.database.url, TRUST_PROXY: value },
        15_000,
      ).then(
        (server) => (started.push(server), null),
        (error: Error) => error.message,
      );
      // One JSON log line, its message naming the variable; no stack trace, raw or escaped.
      expect(failure).toMatch(/invalid configuration:\\n {2}TRUST_PROXY: /);
      expect(failure).not.toMatch(/(\n|\\n)\s+at /);
    },
    30_000,
  );

  test("a connection that sends nothing is closed after HEADERS_TIMEOUT_MS, on both listeners", async () => {
    const server = await startServerProcess({
      DATABASE_URL: testDatabase.database.url,
      H7_TOKEN: TEST_TOKEN,
      INTERNAL_API_TOKEN: "internal-token-Lq3x9VbN2mK8pR4s",
      HEADERS_TIMEOUT_MS: "300",
    });
    started.push(server);
    const closedWithin = (port: number, ms: number) =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.on("error", () => undefined).resume(); // read, or the server's closing goes unseen
        const timer = setTimeout(() => (socket.destroy(), resolve(false)), ms);
        socket.once("close", () => (clearTimeout(timer), resolve(true)));
      });
    expect(await Promise.all([closedWithin(server.port, 3_000), closedWithin(server.internalPort!, 3_000)])).toEqual([
      true,
      true,
    ]);
  }, 60_000);
});
