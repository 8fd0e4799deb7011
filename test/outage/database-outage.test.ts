import net from "node:net";
import request from "supertest";
import { createTestDatabase, databaseProviders, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, type TestService } from "../support/service";

/** A TCP proxy to PostgreSQL that the test can cut (every connection dropped, new ones refused) and restore. */
class CuttableProxy {
  private server = net.createServer((client) => this.accept(client));
  private sockets = new Set<net.Socket>();
  private open = true;
  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as net.AddressInfo).port;
  }
  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }
  restore(): void {
    this.open = true;
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  private accept(client: net.Socket): void {
    if (!this.open) return void client.destroy();
    const upstream = net.connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket)).on("error", () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  }
}

const onPostgres = databaseProviders().includes("postgresql") ? describe : describe.skip;

onPostgres("PostgreSQL unreachable while the service runs", () => {
  let testDatabase: TestDatabase;
  let proxy: CuttableProxy;
  let service: TestService;
  beforeAll(async () => {
    testDatabase = await createTestDatabase("postgresql");
    const url = new URL(testDatabase.database.url);
    proxy = new CuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${await proxy.listen()}`;
    service = await startTestService("postgresql", {}, undefined, { ...testDatabase, database: { provider: "postgresql", url: url.toString() } });
  }, 60_000);
  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    await proxy?.close();
    await testDatabase?.drop();
  });

  test("callbacks get 503 with Retry-After and nothing is acknowledged; once it is back the same process serves again", async () => {
    await request(service.publicApp).get("/health/ready").expect(200);
    proxy.cut();
    const refused = await Promise.all(Array.from({ length: 5 }, () => postCallback(service.publicApp, paths.error, withMessageId(errorH7Example))));
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

describe("a SQLite database that cannot be written", () => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService("sqlite");
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
    const big = { ...withMessageId(errorH7Example), error: Array.from({ length: 900 }, () => errorH7Example.error[0]) };
    const answer = await postCallback(service.publicApp, paths.error, big).expect(503);
    expect(answer.body.error).toBe("storage_unavailable");
    await request(service.publicApp).get("/health/live").expect(200);
  });
});
