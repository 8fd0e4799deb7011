import type { DriverSql, Procedure, SqlQuery } from "../db/driver";
import { eventBodies } from "./event";
import type { Outcome } from "./record";

export interface Claimed {
  id: number;
  destinationId: number;
  messageRowId: number;
  attempts: number;
}

/** A claim outlives its request (and the recording of its outcome) by far: another replica takes a delivery
 *  over only when its sender died. 30 s with the default 10 s timeout. */
export const leaseFor = (timeoutMs: number) => 2 * timeoutMs + 10_000;

/** Due deliveries that no earlier pending delivery of the same declaration (to the same destination) waits
 *  before, of one kind of trigger, in feed order: walked along the (destinationId, status, trigger, position)
 *  index and stopped at LIMIT, so a claim reads about what it takes, however long the backlog. */
const claimable = (triggers: string) => `
  SELECT d."id" FROM "Delivery" d
  WHERE d."destinationId" = ? AND d."status" = 'pending' AND d."trigger" ${triggers}
    AND d."nextAttemptAt" <= ? AND (d."leaseUntil" IS NULL OR d."leaseUntil" <= ?)
    AND NOT EXISTS (
      SELECT 1 FROM "Delivery" e
      WHERE e."destinationId" = d."destinationId" AND e."orderKey" = d."orderKey" AND e."status" = 'pending'
        AND (e."position" < d."position" OR (e."position" = d."position" AND e."id" < d."id")))
  ORDER BY d."position", d."id"
  LIMIT ?`;
/** Live ones first, so a large replay does not hold back what arrives meanwhile. */
export const CLAIM_PASSES = [claimable(`= 'live'`), claimable(`IN ('redeliver', 'replay')`)];

/**
 * Leases up to `maxInFlight` minus what is already leased to one destination, inside the caller's transaction
 * (a claim's own, or the one recording the attempts that freed the slots: see record.ts). On PostgreSQL the
 * destination row is locked first, so replicas claiming for the same destination take turns and the in-flight
 * count holds across them; the rows are taken FOR UPDATE SKIP LOCKED, so a row a replica is finishing is
 * skipped rather than waited for. SQLite has one writer: a plain conditional update is enough.
 */
async function claimIn(
  tx: SqlQuery,
  provider: DriverSql["provider"],
  destinationId: number,
  now: Date,
  limits: ClaimLimits,
  owner: string,
): Promise<Claimed[]> {
  const pg = provider === "postgresql";
  if (pg) await tx.query(`SELECT "id" FROM "Destination" WHERE "id" = ? FOR UPDATE`, [destinationId]);
  // Reads only the leases in force, along (destinationId, leaseUntil).
  const [leased] = await tx.query(
    `SELECT COUNT(*) AS "n" FROM "Delivery" WHERE "destinationId" = ? AND "status" = 'pending' AND "leaseUntil" > ?`,
    [destinationId, now],
  );
  let slots = limits.maxInFlight - Number(leased.n);
  const rows: Record<string, unknown>[] = [];
  for (const pass of CLAIM_PASSES) {
    if (slots <= 0) break;
    const taken = await tx.query(
      `UPDATE "Delivery" SET "leaseUntil" = ?, "leaseOwner" = ? WHERE "id" IN (${pass}${pg ? " FOR UPDATE SKIP LOCKED" : ""})
       RETURNING "id", "destinationId", "messageRowId", "attempts", "position"`,
      [new Date(now.getTime() + limits.leaseMs), owner, destinationId, now, now, slots],
    );
    rows.push(...taken);
    slots -= taken.length;
  }
  return rows
    .map((row) => ({
      id: Number(row.id),
      destinationId: Number(row.destinationId),
      messageRowId: Number(row.messageRowId),
      attempts: Number(row.attempts),
      position: Number(row.position),
    }))
    .sort((a, b) => a.position - b.position || a.id - b.id)
    .map(({ position: _position, ...claimed }) => claimed);
}

export interface ClaimLimits {
  maxInFlight: number;
  leaseMs: number;
}

/** What a claim needs, as data: it runs where the connection lives (on SQLite its thread, see db/driver.ts). */
export interface ClaimInput {
  /** Claimed for one after the other, in one transaction. */
  destinationIds: number[];
  provider: DriverSql["provider"];
  now: Date;
  limits: ClaimLimits;
  owner: string;
}

/** A destination's claimed deliveries, with the event body of each one's message (by message row id). */
export interface ClaimedEvents {
  destinationId: number;
  claimed: Claimed[];
  bodies: Map<number, string>;
}

/** Leases a destination's next deliveries and reads their events in the same transaction, statement after
 *  statement where the connection lives: on SQLite no turn of the event loop (nor wait on it) while the one
 *  connection the intake's commits wait for is held. */
async function claimWithEvents(sql: SqlQuery, destinationId: number, input: ClaimInput): Promise<ClaimedEvents> {
  const claimed = await claimIn(sql, input.provider, destinationId, input.now, input.limits, input.owner);
  const bodies = await eventBodies(
    sql,
    input.provider,
    claimed.map((delivery) => delivery.messageRowId),
  );
  return { destinationId, claimed, bodies };
}

async function claimEach(sql: SqlQuery, input: ClaimInput): Promise<ClaimedEvents[]> {
  const claims: ClaimedEvents[] = [];
  for (const destinationId of input.destinationIds) claims.push(await claimWithEvents(sql, destinationId, input));
  return claims;
}

/** @public The bodies of this file's procedures, found by name where the connection lives (db/driver.ts). */
export const procedures = {
  claimEach,
  claimFreed: (sql: SqlQuery, { with: input }: { with: ClaimInput }) => claimEach(sql, input),
};
/** One transaction claiming for these destinations, one after the other. */
export const claimProcedure: Procedure<ClaimInput, ClaimedEvents[]> = {
  module: __filename,
  name: "claimEach",
};
/** The same inside the transaction recording attempts (record.ts), for the destinations whose slots they freed. */
export const claimFreedProcedure: Procedure<{ outcomes: Outcome[]; with: ClaimInput }, ClaimedEvents[]> = {
  module: __filename,
  name: "claimFreed",
};
