import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Logger } from "pino";
import type { DriverSql } from "../db/driver";
import type { Metrics } from "../http/metrics";
import type { DestinationCache } from "./cache";
import {
  type Claimed,
  type ClaimedEvents,
  type ClaimInput,
  type ClaimLimits,
  claimFreedProcedure,
  claimProcedure,
  leaseFor,
} from "./claims";
import { signedHeaders } from "./event";
import { IntakeFirst } from "./intake-first";
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
  /** Deliveries this worker holds a lease on, by destination: from their claim's commit to their record's. */
  private readonly leased = new Map<number, number>();
  private readonly recorder: AttemptRecorder<ClaimedEvents[], ClaimInput>;
  private readonly limits: ClaimLimits;
  private readonly intakeFirst = new IntakeFirst();

  constructor(
    private readonly sql: DriverSql,
    private readonly destinations: DestinationCache,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.limits = { maxInFlight: options.maxInFlight, leaseMs: leaseFor(options.timeoutMs) };
    this.recorder = new AttemptRecorder(sql, this.owner, {
      turn: () => this.intakeFirst.turn(),
      inSameTransaction: (outcomes) => ({ procedure: claimFreedProcedure, with: this.claimFreed(outcomes) }),
      committed: (outcomes, claims) => this.recorded(outcomes, claims),
    });
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs).unref();
    this.wake();
  }

  /** The intake committed messages: their deliveries are due, and delivery transactions make way (intake-first.ts). */
  intakeCommitted(): void {
    this.intakeFirst.intakeCommitted();
    this.wake();
  }

  /** Looks for due deliveries now (after a commit, a redelivery, a replay). */
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

  /** A transaction per destination with free slots. One whose slots this worker alone fills is skipped: its
   *  claim could take nothing, and the recording of the attempts in flight claims again as they end. */
  private async claimAll(): Promise<void> {
    for (const destination of this.destinations.all.filter((d) => d.enabled)) {
      if (this.stopped) return;
      if ((this.leased.get(destination.id) ?? 0) >= this.options.maxInFlight) continue;
      await this.intakeFirst.turn();
      const [claim] = await this.sql.perform(claimProcedure, this.claimInput([destination.id]));
      this.send(claim);
    }
  }

  /** In the transaction recording attempts, the next deliveries of their destinations take the slots they held:
   *  one transaction (on SQLite one fsync) instead of two per round of deliveries. */
  private claimFreed(outcomes: Outcome[]): ClaimInput {
    const ids = new Set(outcomes.map((outcome) => outcome.destinationId));
    const freed = this.stopped ? [] : this.destinations.all.filter((d) => d.enabled && ids.has(d.id));
    return this.claimInput(freed.map((destination) => destination.id));
  }

  /** A claim leases a destination's next deliveries and reads their events in one transaction (claims.ts). */
  private claimInput(destinationIds: number[]): ClaimInput {
    return {
      provider: this.sql.provider,
      now: this.options.clock(),
      limits: this.limits,
      owner: this.owner,
      destinationIds,
    };
  }

  /** Starts the claimed deliveries' requests. */
  private send({ destinationId, claimed, bodies }: ClaimedEvents): void {
    const destination = this.destinations.all.find((d) => d.id === destinationId);
    // Claimed as stop() began (the claim's input was built before): not sent; their leases lapse, as after a crash.
    if (claimed.length === 0 || !destination || this.stopped) return;
    this.leased.set(destination.id, (this.leased.get(destination.id) ?? 0) + claimed.length);
    for (const delivery of claimed)
      this.track(
        this.deliver(destination.url, delivery, bodies.get(delivery.messageRowId)).catch((error) => {
          this.release(destination.id, 1); // its lease lapses unrecorded
          throw error;
        }),
        delivery,
      );
  }

  private track(work: Promise<void>, delivery: Claimed): void {
    const tracked: Promise<void> = work
      .catch((error) =>
        this.logger.error(
          { err: error, deliveryId: delivery.id },
          "delivery attempt could not be recorded; retried after its lease",
        ),
      )
      .finally(() => this.sending.delete(tracked));
    this.sending.add(tracked);
  }

  private release(destinationId: number, count: number): void {
    const left = (this.leased.get(destinationId) ?? 0) - count;
    if (left > 0) this.leased.set(destinationId, left);
    else this.leased.delete(destinationId);
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

  private recorded(outcomes: Outcome[], claims: ClaimedEvents[]): void {
    for (const { destinationId, status } of outcomes) {
      this.release(destinationId, 1);
      this.metrics.deliveryAttempts.inc({
        destination: String(destinationId),
        outcome: status === "pending" ? "retrying" : status,
      });
    }
    for (const claim of claims) this.send(claim);
  }
}
