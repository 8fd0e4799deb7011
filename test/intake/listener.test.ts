import type http from "node:http";
import net from "node:net";
import { listenerLimitsOf } from "../../src/http/listener-limits";
import { listen, portOf } from "../../src/service";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { startTestService, TEST_TOKEN, type TestService } from "../support/service";

// Real sockets on loopback against the listener main.ts starts, with its limits made small through the config.
const HEADERS_TIMEOUT_MS = 400;
const KEEP_ALIVE_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 3_000;
const MAX_CONNECTIONS = 4;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_INFLIGHT_BYTES = 2 * MAX_BODY_BYTES;

/** A client socket that keeps what it received and when it closed. */
class Raw {
  readonly socket: net.Socket;
  received = "";
  closedAt: number | null = null;
  readonly openedAt = Date.now();
  private readonly closing: Promise<number>;

  constructor(port: number) {
    this.socket = net.connect(port, "127.0.0.1");
    this.socket.on("data", (chunk: Buffer) => (this.received += chunk.toString("latin1")));
    this.socket.on("error", () => undefined); // a reset is one way of being closed
    this.closing = new Promise((resolve) =>
      this.socket.on("close", () => resolve((this.closedAt = Date.now()) - this.openedAt)),
    );
  }

  connected(): Promise<this> {
    return new Promise((resolve) =>
      this.socket.connecting ? this.socket.once("connect", () => resolve(this)) : resolve(this),
    );
  }

  /** Milliseconds from opening to the server's closing it, or null if still open after `withinMs`. */
  closed(withinMs: number): Promise<number | null> {
    return Promise.race([
      this.closing,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), withinMs).unref()),
    ]);
  }

  /** The status codes of the answers so far (100 Continue included). */
  statuses(): number[] {
    return [...this.received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
  }

  async until(condition: () => boolean, withinMs = 5_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(`not within ${withinMs} ms; received ${JSON.stringify(this.received.slice(0, 300))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const head = (length: number, extra: string[] = [], token: string | null = TEST_TOKEN) =>
  [
    `POST ${paths.error} HTTP/1.1`,
    "Host: receiver",
    "Content-Type: application/json",
    `Content-Length: ${length}`,
    ...(token ? [`Authorization: Bearer ${token}`] : []),
    ...extra,
    "",
    "",
  ].join("\r\n");

/** A valid Error_H7 of exactly `size` bytes: JSON allows the trailing blanks. */
const messageOf = (size: number) => {
  const text = JSON.stringify(withMessageId(errorH7Example));
  return Buffer.from(text + " ".repeat(size - Buffer.byteLength(text)));
};

describe.each(databaseProviders())("the public listener's limits on %s", (provider) => {
  let service: TestService;
  let server: http.Server;
  let port: number;
  const clients: Raw[] = [];
  const metric = async (name: string) =>
    (await service.metrics.registry.getSingleMetric(name)?.get())?.values.reduce((sum, { value }) => sum + value, 0);
  const client = (): Raw => {
    const raw = new Raw(port);
    clients.push(raw);
    return raw;
  };

  beforeAll(async () => {
    service = await startTestService(provider, {
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      MAX_INFLIGHT_BYTES: String(MAX_INFLIGHT_BYTES),
      LOG_LEVEL: "error",
    });
    const onDrop = () => service.metrics.droppedConnections.inc({ listener: "public" }); // as main.ts does
    server = await listen(service.publicApp, {
      port: 0,
      host: "127.0.0.1",
      limits: listenerLimitsOf(service.config),
      deferContinue: true,
      onDrop,
    });
    port = portOf(server);
  }, 60_000);
  afterEach(() => {
    for (const raw of clients.splice(0)) raw.destroy();
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await service?.stop();
  });

  describe("timeouts", () => {
    test("a connection that sends nothing is closed once HEADERS_TIMEOUT_MS is over, not tens of seconds later", async () => {
      const elapsed = await client().closed(HEADERS_TIMEOUT_MS * 6);
      expect(elapsed).not.toBeNull();
      expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 0.9);
    });

    test("headers that never finish get 408 and the connection is closed once HEADERS_TIMEOUT_MS is over", async () => {
      const raw = await client().connected();
      raw.write(`POST ${paths.error} HTTP/1.1\r\nHost: receiver\r\n`);
      expect(await raw.closed(HEADERS_TIMEOUT_MS * 6)).not.toBeNull();
      expect(raw.statuses()).toEqual([408]);
    });

    test("a body still arriving when REQUEST_TIMEOUT_MS is over gets 408 and stores nothing", async () => {
      const raw = await client().connected();
      const body = messageOf(2_000);
      raw.write(head(body.length));
      const before = await service.db.message.count();
      const trickle = setInterval(() => raw.write(" "), 100); // bytes keep coming, too slowly to finish
      try {
        const elapsed = await raw.closed(REQUEST_TIMEOUT_MS * 3);
        expect(elapsed).not.toBeNull();
        expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS * 0.9);
      } finally {
        clearInterval(trickle);
      }
      expect(raw.statuses()).toEqual([408]);
      expect(await service.db.message.count()).toBe(before);
    });

    test("a keep-alive connection left idle after an answer is closed once KEEP_ALIVE_TIMEOUT_MS is over", async () => {
      const raw = await client().connected();
      const body = messageOf(1_000);
      raw.write(head(body.length));
      raw.write(body);
      await raw.until(() => raw.statuses().length === 1);
      const answeredAt = Date.now();
      expect(raw.statuses()).toEqual([200]);
      expect(await raw.closed(KEEP_ALIVE_TIMEOUT_MS * 20)).not.toBeNull();
      expect(raw.closedAt! - answeredAt).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS * 0.9);
    });
  });

  test("connections beyond MAX_CONNECTIONS are closed on arrival, and callbacks are served once idle ones time out", async () => {
    const idle = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => client().connected()));
    await new Promise((resolve) => setTimeout(resolve, 50)); // accepted by the server
    const extra = client();
    expect(await extra.closed(HEADERS_TIMEOUT_MS * 6)).not.toBeNull();
    // Refused on arrival: before any of the idle ones reached its headers timeout.
    for (const raw of idle) expect(raw.closedAt === null || raw.closedAt >= extra.closedAt!).toBe(true);
    expect(await metric("receiver_dropped_connections_total")).toBe(1);
    for (const raw of idle) expect(await raw.closed(HEADERS_TIMEOUT_MS * 6)).not.toBeNull();

    const raw = await client().connected();
    const body = messageOf(1_000);
    raw.write(head(body.length, ["Connection: close"]));
    raw.write(body);
    await raw.until(() => raw.statuses().length === 1);
    expect(raw.statuses()).toEqual([200]);
  });

  describe("Expect: 100-continue", () => {
    test("a caller without a valid token gets 401 and no 100 Continue, so it never uploads its body", async () => {
      const raw = await client().connected();
      raw.write(head(500_000, ["Expect: 100-continue"], "wrong-token-wrong-token-0000"));
      await raw.until(() => raw.statuses().length > 0);
      expect(await raw.closed(2_000)).not.toBeNull();
      expect(raw.statuses()).toEqual([401]);
    });

    test("a body over MAX_BODY_BYTES gets 413 and no 100 Continue", async () => {
      const raw = await client().connected();
      raw.write(head(MAX_BODY_BYTES + 1, ["Expect: 100-continue"]));
      await raw.until(() => raw.statuses().length > 0);
      expect(raw.statuses()).toEqual([413]);
    });

    test("an authenticated caller gets 100 Continue, then sends its body and gets 200", async () => {
      const raw = await client().connected();
      const body = messageOf(10_000);
      raw.write(head(body.length, ["Expect: 100-continue"]));
      await raw.until(() => raw.statuses().length > 0);
      expect(raw.statuses()).toEqual([100]);
      raw.write(body);
      await raw.until(() => raw.statuses().length > 1);
      expect(raw.statuses()).toEqual([100, 200]);
    });
  });

  describe("bytes in flight", () => {
    const size = Math.floor(MAX_BODY_BYTES * 0.9);

    test("beyond MAX_INFLIGHT_BYTES a body gets 503 with Retry-After, and is received again once others are answered", async () => {
      const bodies = [messageOf(size), messageOf(size)];
      const holding = await Promise.all(
        bodies.map(async (body) => {
          const raw = await client().connected();
          raw.write(head(body.length, ["Connection: close"]));
          raw.write(body.subarray(0, 1_000)); // the rest comes later: its bytes are expected, so counted
          return raw;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));

      const refused = await client().connected();
      const third = messageOf(size);
      refused.write(head(third.length, ["Expect: 100-continue"]));
      await refused.until(() => refused.statuses().length > 0);
      expect(refused.statuses()).toEqual([503]);
      expect(refused.received).toMatch(/\r\nRetry-After: \d+\r\n/i);
      expect(await metric("receiver_busy_refusals_total")).toBeGreaterThanOrEqual(1);
      expect(await metric("receiver_body_bytes_in_flight")).toBe(2 * size);

      holding.forEach((raw, i) => raw.write(bodies[i].subarray(1_000)));
      for (const raw of holding) await raw.until(() => raw.statuses().length > 0);
      expect(holding.map((raw) => raw.statuses())).toEqual([[200], [200]]);

      const later = await client().connected();
      later.write(head(third.length, ["Connection: close"]));
      later.write(third);
      await later.until(() => later.statuses().length > 0);
      expect(later.statuses()).toEqual([200]);
      await later.closed(2_000);
      expect(await metric("receiver_body_bytes_in_flight")).toBe(0);
    });

    test("a chunked body that outgrows the room left gets 503 and stores nothing", async () => {
      const bodies = [messageOf(size), messageOf(size)];
      const holding = await Promise.all(
        bodies.map(async (body) => {
          const raw = await client().connected();
          raw.write(head(body.length, ["Connection: close"]));
          raw.write(body.subarray(0, 1_000));
          return raw;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));

      const before = await service.db.message.count();
      const chunked = await client().connected();
      const body = messageOf(size);
      chunked.write(head(0, ["Transfer-Encoding: chunked"]).replace("Content-Length: 0\r\n", ""));
      for (let at = 0; at < body.length && chunked.statuses().length === 0; at += 64 * 1024) {
        const part = body.subarray(at, at + 64 * 1024);
        chunked.write(`${part.length.toString(16)}\r\n`);
        chunked.write(part);
        chunked.write("\r\n");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await chunked.until(() => chunked.statuses().length > 0);
      expect(chunked.statuses()).toEqual([503]);
      expect(await service.db.message.count()).toBe(before);

      holding.forEach((raw, i) => raw.write(bodies[i].subarray(1_000)));
      for (const raw of holding) await raw.until(() => raw.statuses().length > 0);
      expect(holding.map((raw) => raw.statuses())).toEqual([[200], [200]]);
    });
  });
});
