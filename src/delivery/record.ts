import { type DriverSql, type Procedure, placeholders, runProcedure, type SqlQuery } from "../db/driver";
import { GroupQueue } from "../db/group-queue";

/** One finished attempt, decided: what the delivery becomes. */
export interface Outcome {
  deliveryId: number;
  destinationId: number;
  at: Date;
  result: { status: number | null; error: string | null; durationMs: number; response: string | null };
  status: "delivered" | "failed" | "pending";
  nextAttemptAt: Date;
}

interface Waiting {
  outcome: Outcome;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What else the recording transaction does (the worker leases the next deliveries into the slots the attempts
 *  freed), and what follows its commit. */
export interface AfterRecording<T, With> {
  /** Resolves when the recording transaction may begin (see intake-first.ts); attempts ending meanwhile join it. */
  turn(): Promise<void>;
  /** What runs in the recording's transaction after it: a procedure given the outcomes and `with`, the data it
   *  needs from the caller's side (it may run on the SQLite thread, as the recording itself does). */
  inSameTransaction(outcomes: Outcome[]): { procedure: Procedure<{ outcomes: Outcome[]; with: With }, T>; with: With };
  committed(outcomes: Outcome[], result: T): void;
}

interface RecordInput<T, With> {
  outcomes: Outcome[];
  pg: boolean;
  owner: string;
  after: ReturnType<AfterRecording<T, With>["inSameTransaction"]>;
}

/**
 * Records attempts in groups (GroupQueue), as the intake's writer stores messages: the attempts that end
 * together are written in one transaction, each with its delivery's new state and its destination's failing
 * mark. One transaction (and on SQLite one fsync) per attempt cost more than the intake of the message itself.
 */
export class AttemptRecorder<T, With> {
  private readonly groups = new GroupQueue<Waiting>(async (queue) => {
    await this.after.turn();
    await this.recordGroup(queue.splice(0, MAX_GROUP));
  });

  constructor(
    private readonly sql: DriverSql,
    private readonly owner: string,
    private readonly after: AfterRecording<T, With>,
  ) {}

  record(outcome: Outcome): Promise<void> {
    return new Promise((resolve, reject) => this.groups.push({ outcome, resolve, reject }));
  }

  private async recordGroup(batch: Waiting[]): Promise<void> {
    const outcomes = batch.map((waiting) => waiting.outcome);
    let result: T;
    try {
      const input: RecordInput<T, With> = {
        outcomes,
        pg: this.sql.provider === "postgresql",
        owner: this.owner,
        after: this.after.inSameTransaction(outcomes),
      };
      result = await this.sql.perform(writeGroupProcedure<T, With>(), input);
    } catch (error) {
      return batch.forEach((waiting) => waiting.reject(error));
    }
    batch.forEach((waiting) => waiting.resolve());
    this.after.committed(outcomes, result);
  }
}

const MAX_GROUP = 200; // 6 parameters an attempt row: well under both databases' limits

/** The recording transaction, run where the connection lives: on SQLite one message to its thread and one answer,
 *  instead of a synchronous wait on the event loop for each statement. */
async function writeGroup<T, With>(sql: SqlQuery, { outcomes, pg, owner, after }: RecordInput<T, With>): Promise<T> {
  await writeOutcomes(sql, pg, outcomes, owner);
  return runProcedure(after.procedure, sql, { outcomes, with: after.with });
}

/** The updates are conditional on our lease: if it lapsed and another replica took over, its outcome stands.
 *  On PostgreSQL the group's destination rows are locked first, in id order: the failing marks and the claims
 *  that follow lock them too, and two replicas' groups locking in different orders could deadlock. */
async function writeOutcomes(tx: SqlQuery, pg: boolean, outcomes: Outcome[], owner: string): Promise<void> {
  if (pg) {
    const destinations = [...new Set(outcomes.map((outcome) => outcome.destinationId))];
    await tx.query(
      `SELECT "id" FROM "Destination" WHERE "id" IN (${placeholders(destinations)}) ORDER BY "id" FOR UPDATE`,
      destinations,
    );
  }
  await tx.send(
    `INSERT INTO "DeliveryAttempt" ("deliveryId", "at", "status", "error", "durationMs", "response") VALUES ${outcomes
      .map(() => "(?, ?, ?, ?, ?, ?)")
      .join(", ")}`,
    outcomes.flatMap(({ deliveryId, at, result }) => [
      deliveryId,
      at,
      result.status,
      result.error,
      result.durationMs,
      result.response,
    ]),
  );
  // One UPDATE for the group, joined to its new values.
  const typed = (type: string) => (pg ? `?::${type}` : "?");
  const row = `(${[typed("int"), typed("text"), typed("timestamp(3)"), typed("int"), typed("text"), typed("timestamp(3)")].join(", ")})`;
  await tx.send(
    `WITH "v" ("id", "status", "nextAttemptAt", "lastStatus", "lastError", "completedAt") AS (VALUES ${outcomes.map(() => row).join(", ")})
     UPDATE "Delivery" SET "status" = "v"."status", "attempts" = "attempts" + 1, "nextAttemptAt" = "v"."nextAttemptAt",
       "leaseUntil" = NULL, "leaseOwner" = NULL, "lastStatus" = "v"."lastStatus", "lastError" = "v"."lastError",
       "completedAt" = "v"."completedAt"
     FROM "v" WHERE "Delivery"."id" = "v"."id" AND "Delivery"."leaseOwner" = ?`,
    [
      ...outcomes.flatMap(({ deliveryId, at, result, status, nextAttemptAt }) => [
        deliveryId,
        status,
        nextAttemptAt,
        result.status,
        result.error,
        status === "pending" ? null : at,
      ]),
      owner,
    ],
  );
  for (const [destinationId, mark] of failingMarks(outcomes)) {
    if (mark.failingSince === null)
      await tx.send(`UPDATE "Destination" SET "failingSince" = NULL WHERE "id" = ? AND "failingSince" IS NOT NULL`, [
        destinationId,
      ]);
    else
      await tx.send(
        `UPDATE "Destination" SET "failingSince" = ? WHERE "id" = ?${mark.keepEarlier ? ` AND "failingSince" IS NULL` : ""}`,
        [mark.failingSince, destinationId],
      );
  }
}

/** A destination fails since its first failure after its last success; a success clears the mark. Taken in the
 *  group's order, as the attempts one by one would have left it. */
export function failingMarks(outcomes: Outcome[]): Map<number, { failingSince: Date | null; keepEarlier: boolean }> {
  const marks = new Map<number, { failingSince: Date | null; keepEarlier: boolean }>();
  for (const { destinationId, status, at } of outcomes) {
    const mark = marks.get(destinationId);
    if (status === "delivered") marks.set(destinationId, { failingSince: null, keepEarlier: false });
    else if (!mark) marks.set(destinationId, { failingSince: at, keepEarlier: true });
    else if (mark.failingSince === null) marks.set(destinationId, { failingSince: at, keepEarlier: false });
  }
  return marks;
}

/** @public The bodies of this file's procedures, found by name where the connection lives (db/driver.ts). */
export const procedures = { writeGroup };
const writeGroupProcedure = <T, With>(): Procedure<RecordInput<T, With>, T> => ({
  module: __filename,
  name: "writeGroup",
});
