import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  event: {
    type: string;
    timestamp: string;
    data: { id: number; messageId: string; keys: { customsDeclarationReference: string | null } } & Record<
      string,
      unknown
    >;
  };
  /** Which of the secrets given to `verifyWith` verified the signature (by index); an empty list fails the test. */
  verifiedBy: number[];
  /** The status it was answered with, once answered. */
  answered?: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/** A real HTTP receiver in the test process: it verifies every request with standardwebhooks' Webhook.verify and
 *  answers what the test decides. It can go down (connections refused) and come back on the same port. */
export class TestReceiver {
  readonly received: Received[] = [];
  secrets: string[] = [];
  answer: (received: Received) => Answer = () => ({ status: 204 });
  inFlight = 0;
  maxInFlight = 0;
  /** webhook-ids that arrived while a request with the same id was still being answered. */
  readonly concurrentRepeats: string[] = [];
  private readonly inFlightIds = new Set<string>();
  private server: http.Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Deliveries answered 2xx, in the order they arrived. */
  get accepted(): Received[] {
    return this.received.filter((r) => r.answered !== undefined && r.answered < 300);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => void this.handle(req, Buffer.concat(chunks).toString("utf8"), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Starts counting afresh: a request an earlier test left hanging (one the service gave up waiting for) no
   *  longer counts as in flight. */
  reset(): void {
    this.generation++;
    this.inFlight = 0;
    this.maxInFlight = 0;
  }

  private generation = 0;

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const generation = this.generation;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const webhookId = String(req.headers["webhook-id"]);
    if (this.inFlightIds.has(webhookId)) this.concurrentRepeats.push(webhookId);
    this.inFlightIds.add(webhookId);
    const verifiedBy = this.secrets.flatMap((secret, i) => {
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        return [i];
      } catch {
        return [];
      }
    });
    const received: Received = { headers: req.headers, body, event: JSON.parse(body), verifiedBy };
    this.received.push(received);
    const answer = this.answer(received);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    received.answered = answer.status;
    if (generation === this.generation) this.inFlight--;
    this.inFlightIds.delete(webhookId);
    if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
  }
}

/** Waits until `check` passes (it throws or returns false until then). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result;
      if (Date.now() > deadline) throw new Error("still false");
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
