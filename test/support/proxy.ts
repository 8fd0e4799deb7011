import net from "node:net";

/** A TCP proxy to PostgreSQL that a test can cut (every connection dropped, new ones refused), stall (every
 *  socket kept open, new ones accepted, but no byte passes either way: what a broken network path or a frozen
 *  server looks like) and restore. */
export class DatabaseProxy {
  private server = net.createServer((client) => this.accept(client));
  private sockets = new Set<net.Socket>();
  private mode: "open" | "cut" | "stalled" = "open";
  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens, and returns `url` pointed at the proxy. */
  async listen(url: string): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const proxied = new URL(url);
    proxied.host = `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return proxied.toString();
  }
  cut(): void {
    this.mode = "cut";
    for (const socket of this.sockets) socket.destroy();
  }
  stall(): void {
    this.mode = "stalled";
  }
  restore(): void {
    this.mode = "open";
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  private accept(client: net.Socket): void {
    if (this.mode === "cut") return void client.destroy();
    const upstream = net.connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket)).on("error", () => socket.destroy());
    }
    // Bytes that arrive while stalled are dropped, not delayed: a connection used then is out of step for good.
    client.on("data", (chunk) => this.mode === "open" && upstream.write(chunk)).on("close", () => upstream.destroy());
    upstream.on("data", (chunk) => this.mode === "open" && client.write(chunk)).on("close", () => client.destroy());
  }
}

export function proxyFor(url: string): DatabaseProxy {
  const parsed = new URL(url);
  return new DatabaseProxy({ host: parsed.hostname, port: Number(parsed.port || 5432) });
}
