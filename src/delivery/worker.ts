import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Logger } from "pino";
import type { DriverSql } from "../db/driver";
import type { Metrics } from "../http/metrics";
import type { DestinationCache } from "./cache";
import { type Claimed, claimDeliveries, leaseFor } from "./claims";
import { eventBodies, signedHeaders } from "./event";
import { AttemptRecorder, type Outcome } from "./record";
import { parseRetryAfter, retryDelay } from "./schedule";
import { type AttemptResult, post } from "./send";

export interface WorkerOptions {
  /** The retry schedule's clock (tests move it); signatures always carry the wall clock's time. */
  clock: () => Date;
  maxInFlight: number;
  timeoutMs: number;
  /** How often due deliveries are looked for when nothing wakes the worker (a retry coming due, another replica's message). */
  pollMs: number;
  random?: () => number;
}

/** Sends due deliveries: claims them (see claims.ts), POSTs each signed event, records every attempt. */
export class DeliveryWorker {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly sending = new Set<Promise<void>>();
  private readonly recorder: AttemptRecorder;

  constructor(
    private readonly sql: DriverSql,
    private readonly destinations: DestinationCache,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.recorder = new AttemptRecorder(sql, this.owner, (outcomes) => this.recorded(outcomes));
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs).unref();
    this.wake();
  }

  /** Looks for due deliveries now (after a commit, after an attempt ends). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.cycle();
  }

  /** Stops claiming, and waits for the requests in flight to end and be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running || this.sending.size > 0)
      await Promise.allSettled([...this.sending, new Promise((resolve) => setTimeout(resolve, 10))]);
  }

  private async cycle(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.claimAll();
      } while (this.again && !this.stopped);
    } catch (error) {
      this.logger.warn({ err: error }, "delivery claim failed; retrying at the next poll");
    } finally {
      this.running = false;
    }
  }

  private async claimAll(): Promise<void> {
    for (const destination of this.destinations.all.filter((d) => d.enabled)) {
      if (this.stopped) return;
      const limits = { maxInFlight: this.options.maxInFlight, leaseMs: leaseFor(this.options.timeoutMs) };
      const claimed = await claimDeliveries(this.sql, destination.id, this.options.clock(), limits, this.owner);
      if (claimed.length === 0) continue;
      const bodies = await eventBodies(
        this.sql,
        claimed.map((delivery) => delivery.messageRowId),
      );
      for (const delivery of claimed) {
        const sending: Promise<void> = this.deliver(destination.url, delivery, bodies.get(delivery.messageRowId))
          .catch((error) =>
            this.logger.error(
              { err: error, deliveryId: delivery.id },
              "delivery attempt could not be recorded; retried after its lease",
            ),
          )
          .finally(() => this.sending.delete(sending));
        this.sending.add(sending);
      }
    }
  }

  private async deliver(url: string, delivery: Claimed, body: string | undefined): Promise<void> {
    if (body === undefined) {
      await this.record(
        delivery,
        { status: null, error: "the message is no longer stored", durationMs: 0, response: null, retryAfter: null },
        true,
      );
      return;
    }
    const secrets = this.destinations.secretsOf(delivery.destinationId, this.options.clock());
    const result = await post(url, signedHeaders(delivery.id, secrets, body, new Date()), body, this.options.timeoutMs);
    await this.record(delivery, result, result.status === 410); // 410 Gone: the receiver asks us to stop
  }

  /** The delivery's new state, decided here, recorded with others ending about now (record.ts). */
  private async record(delivery: Claimed, result: AttemptResult, final: boolean): Promise<void> {
    const now = this.options.clock();
    const delivered = result.status !== null && result.status >= 200 && result.status < 300;
    const retryAfter = result.status === 429 || result.status === 503 ? parseRetryAfter(result.retryAfter, now) : null;
    const delay = delivered || final ? null : retryDelay(delivery.attempts + 1, retryAfter, this.options.random);
    await this.recorder.record({
      deliveryId: delivery.id,
      destinationId: delivery.destinationId,
      at: now,
      result,
      status: delivered ? "delivered" : delay === null ? "failed" : "pending",
      nextAttemptAt: new Date(now.getTime() + (delay ?? 0)),
    });
  }

  private recorded(outcomes: Outcome[]): void {
    for (const { destinationId, status } of outcomes)
      this.metrics.deliveryAttempts.inc({
        destination: String(destinationId),
        outcome: status === "pending" ? "retrying" : status,
      });
    this.wake(); // the slots these attempts held are free
  }
}
