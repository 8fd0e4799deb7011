import { randomBytes } from "node:crypto";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import { Client } from "pg";
import request from "supertest";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { describeOnPostgres } from "../support/on-postgres";
import { startServerProcess } from "../support/process";
import { type DatabaseProxy, proxyFor } from "../support/proxy";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

/** Short bounds, so that a test of a stall takes a second or two (the defaults are seconds). */
const SHORT_LIMITS = {
  DB_CONNECT_TIMEOUT_MS: "2000", // opening a connection on a loaded CI machine can take a second
  DB_STATEMENT_TIMEOUT_MS: "500",
  DB_LOCK_TIMEOUT_MS: "300",
  DB_COMMIT_TIMEOUT_MS: "1500",
  SQLITE_BUSY_TIMEOUT_MS: "200",
};
/** Far past every bound above: a request still unanswered then is one that hangs. */
const HANG = 8_000;

/** The service on a fresh PostgreSQL database reached through a proxy the test controls. */
function behindProxy(env: Record<string, string> = {}) {
  const context = {} as { testDatabase: TestDatabase; proxy: DatabaseProxy; service: TestService };
  beforeAll(async () => {
    context.testDatabase = await createTestDatabase("postgresql");
    context.proxy = proxyFor(context.testDatabase.database.url);
    const url = await context.proxy.listen(context.testDatabase.database.url);
    context.service = await startTestService("postgresql", env, undefined, {
      ...context.testDatabase,
      database: { provider: "postgresql", url },
    });
  }, 60_000);
  afterAll(async () => {
    await context.service?.stop().catch(() => undefined);
    await context.proxy?.close();
    await context.testDatabase?.drop();
  });
  return context;
}

describeOnPostgres("PostgreSQL unreachable while the service runs", () => {
  const context = behindProxy();

  test("callbacks get 503 with Retry-After and nothing is acknowledged; once it is back the same process serves again", async () => {
    const { service, proxy } = context;
    await request(service.publicApp).get("/health/ready").expect(200);
    proxy.cut();
    const refused = await Promise.all(
      Array.from({ length: 5 }, () => postCallback(service.publicApp, paths.error, withMessageId(errorH7Example))),
    );
    expect(refused.map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503]);
    expect(refused[0].headers["retry-after"]).toBe("5");
    const notReady = await request(service.publicApp).get("/health/ready").expect(503);
    expect(notReady.body.checks).toMatchObject({ database: false });
    await request(service.publicApp).get("/health/live").expect(200);

    proxy.restore();
    const message = withMessageId(errorH7Example);
    await postCallback(service.publicApp, paths.error, message).expect(200);
    await request(service.publicApp).get("/health/ready").expect(200);
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(1);
    expect(await service.db.message.count()).toBe(1); // none of the refused five was stored
  }, 60_000);
});

describeOnPostgres("a PostgreSQL connection that stalls (sockets open, no byte passes)", () => {
  const context = behindProxy(SHORT_LIMITS);

  test("callbacks get 503 with Retry-After within the bounds, readiness says writes fail, and intake recovers by itself", async () => {
    const { service, proxy } = context;
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200); // connections open
    await request(service.publicApp).get("/health/ready").expect(200);
    proxy.stall();
    const refused = await Promise.all(
      Array.from({ length: 3 }, () =>
        postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).timeout(HANG),
      ),
    );
    expect(refused.map((answer) => answer.status)).toEqual([503, 503, 503]);
    expect(refused[0].headers["retry-after"]).toBe("5");
    const notReady = await request(service.publicApp).get("/health/ready").timeout(HANG).expect(503);
    expect(notReady.body.checks).toMatchObject({ writes: false });
    await request(service.publicApp).get("/health/live").expect(200);

    proxy.restore();
    const message = withMessageId(errorH7Example);
    await postCallback(service.publicApp, paths.error, message).timeout(HANG).expect(200);
    await request(service.publicApp).get("/health/ready").timeout(HANG).expect(200);
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(1);
  }, 30_000);
});

describeOnPostgres("a group commit that overruns DB_COMMIT_TIMEOUT_MS", () => {
  // The statement bounds are far longer: only the writer's own deadline can answer these callers.
  const context = behindProxy({ ...SHORT_LIMITS, DB_STATEMENT_TIMEOUT_MS: "20000", DB_COMMIT_TIMEOUT_MS: "1000" });

  test("its callers get 503 with Retry-After, and the writer goes on with the next group once the database answers", async () => {
    const { service, proxy } = context;
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
    proxy.stall();
    const refused = await Promise.all(
      Array.from({ length: 3 }, () =>
        postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).timeout(HANG),
      ),
    );
    expect(refused.map((answer) => [answer.status, answer.headers["retry-after"]])).toEqual(Array(3).fill([503, "5"]));
    expect(service.logText()).toMatch(
      /"dropped":[1-9]\d*,"msg":"a group commit overran: its callers got 503, busy connections replaced"/,
    );
    proxy.restore();
    const message = withMessageId(errorH7Example);
    await postCallback(service.publicApp, paths.error, message).timeout(HANG).expect(200);
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(1);
  }, 30_000);
});

describeOnPostgres("a table lock held in another PostgreSQL session", () => {
  const context = behindProxy(SHORT_LIMITS);

  test("callbacks get 503 once the lock timeout passes instead of waiting for the lock; readiness says writes fail until it is released", async () => {
    const { service, testDatabase } = context;
    const locker = new Client({ connectionString: testDatabase.database.url });
    await locker.connect();
    await locker.query(`BEGIN; LOCK TABLE "Message" IN ACCESS EXCLUSIVE MODE`);
    try {
      const refused = await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).timeout(HANG);
      expect(refused.status).toBe(503);
      const notReady = await request(service.publicApp).get("/health/ready").timeout(HANG).expect(503);
      expect(notReady.body.checks).toMatchObject({ database: true, writes: false });
    } finally {
      await locker.query("COMMIT");
      await locker.end();
    }
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).timeout(HANG).expect(200);
    await request(service.publicApp).get("/health/ready").expect(200);
  }, 30_000);
});

describeOnPostgres("shutdown with a stalled database", () => {
  let testDatabase: TestDatabase;
  let proxy: DatabaseProxy;
  beforeAll(async () => {
    testDatabase = await createTestDatabase("postgresql");
    proxy = proxyFor(testDatabase.database.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await testDatabase?.drop();
  });

  test("SIGTERM ends the process within SHUTDOWN_TIMEOUT_MS even while a callback waits on the database", async () => {
    const url = await proxy.listen(testDatabase.database.url);
    // Statement and commit bounds far longer than the shutdown bound: only the latter can end this.
    const server = await startServerProcess({
      DATABASE_URL: url,
      H7_TOKEN: TEST_TOKEN,
      DB_STATEMENT_TIMEOUT_MS: "60000",
      DB_COMMIT_TIMEOUT_MS: "60000",
      SHUTDOWN_TIMEOUT_MS: "1500",
    });
    try {
      proxy.stall();
      const body = JSON.stringify(withMessageId(errorH7Example));
      const call = http.request({
        port: server.port,
        path: paths.error,
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_TOKEN}` },
      });
      call.on("error", () => undefined).end(body);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the callback reaches the writer
      server.child.kill("SIGTERM");
      const outcome = await Promise.race([
        server.exited.then((code) => ({ exited: code })),
        new Promise((resolve) => setTimeout(() => resolve("still running"), HANG)),
      ]);
      expect(outcome).toEqual({ exited: 1 });
      expect(server.output()).toContain("shutdown did not finish in time");
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
      proxy.restore();
    }
  }, 60_000);
});

describe("a SQLite database that cannot be written", () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeEach(async () => {
    service = await startTestService("sqlite", SHORT_LIMITS);
  }, 60_000);
  afterEach(() => service?.stop());

  test("read-only: callbacks get 503 (refused bodies too), the process stays up, and serves again once writable", async () => {
    await service.db.$executeRawUnsafe("PRAGMA query_only = ON");
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(503);
    await postCallback(service.publicApp, paths.error, "not json").expect(503);
    await request(service.publicApp).get("/health/live").expect(200);
    await service.db.$executeRawUnsafe("PRAGMA query_only = OFF");
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
  });

  test("full: a callback that does not fit gets 503, not a crash", async () => {
    const [{ page_count }] = await service.db.$queryRawUnsafe<{ page_count: bigint }[]>("PRAGMA page_count");
    await service.db.$queryRawUnsafe(`PRAGMA max_page_count = ${Number(page_count)}`);
    // Random text: a body this large is stored compressed, and repeated errors would shrink to a few pages.
    const error = () => ({ ...errorH7Example.error[0], errorDescription: randomBytes(260).toString("base64") });
    const big = { ...withMessageId(errorH7Example), error: Array.from({ length: 900 }, error) };
    const answer = await postCallback(service.publicApp, paths.error, big).expect(503);
    expect(answer.body.error).toBe("storage_unavailable");
    await request(service.publicApp).get("/health/live").expect(200);
  });

  test("another connection holding the write lock: callbacks get 503 after SQLITE_BUSY_TIMEOUT_MS, readiness says writes fail, intake resumes when it lets go", async () => {
    const holder = new Database(service.testDatabase.database.url.slice("file:".length));
    holder.exec("BEGIN IMMEDIATE");
    try {
      const refused = await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).timeout(HANG);
      expect(refused.status).toBe(503);
      expect(refused.headers["retry-after"]).toBe("5");
      const notReady = await request(service.publicApp).get("/health/ready").timeout(HANG).expect(503);
      expect(notReady.body.checks).toMatchObject({ database: true, writes: false });
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
    await request(service.publicApp).get("/health/ready").expect(200);
  });
});

describe("a SQLite database locked by another connection while a destination is configured", () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeEach(async () => {
    service = await startTestService(
      "sqlite",
      { ...SHORT_LIMITS, SQLITE_BUSY_TIMEOUT_MS: "1000" },
      undefined,
      undefined,
      {
        delivery: { pollMs: 40, timeoutMs: 500 },
      },
    );
  }, 60_000);
  afterEach(() => service?.stop());

  test("the delivery worker's claims wait for the lock off the event loop: the process stays responsive throughout", async () => {
    await internal(service).post("/v1/destinations", { url: "http://127.0.0.1:9/unreachable" }).expect(201);
    await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example)).expect(200);
    // Taken without a busy wait: waiting here would hold this process's event loop, the service's too.
    const holder = new Database(service.testDatabase.database.url.slice("file:".length), { timeout: 0 });
    for (let tries = 0; ; tries++) {
      try {
        holder.exec("BEGIN IMMEDIATE");
        break;
      } catch (error) {
        if (tries > 500) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const delay = monitorEventLoopDelay({ resolution: 10 });
    try {
      delay.enable();
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // each poll's claim waits for the lock
      delay.disable();
    } finally {
      holder.exec("COMMIT");
      holder.close();
    }
    // The worker's transactions did run, and waited for the lock: each failed once the busy timeout passed.
    // Which one met the lock first is a race: the callback's claim may commit before the lock is taken, and then
    // its recording waits; otherwise a claim does.
    expect(service.logText()).toMatch(/delivery claim failed|delivery attempt could not be recorded/);
    // A claim waiting synchronously would hold the event loop for the whole busy timeout (1 s) at every poll.
    expect(delay.max / 1e6).toBeLessThan(300);
  });
});
