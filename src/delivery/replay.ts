import type { Db } from "../db/client";
import { type DriverSql, placeholders } from "../db/driver";
import { pageOf } from "../messages/paging";
import { matches } from "./cache";
import type { DestinationView } from "./destinations";
import { insertDeliveries } from "./enqueue";

/** New deliveries of one stored message to every enabled destination its filter matches, at its feed position
 *  (so it keeps its place in its declaration's order). Null when there is no such message. */
export async function redeliver(
  db: Db,
  sql: DriverSql,
  messageRowId: number,
  destinations: DestinationView[],
  now: Date,
): Promise<{ deliveryIds: number[] } | null> {
  const message = await db.message.findUnique({
    where: { id: messageRowId },
    select: { id: true, api: true, channel: true, customsDeclarationReference: true },
  });
  const entry = await db.feedEntry.findUnique({ where: { messageRowId } });
  if (!message || !entry) return null;
  const targets = destinations.filter((destination) => matches(destination, message));
  const rows = targets.map((destination) => [
    destination.id,
    message.id,
    entry.position,
    message.customsDeclarationReference,
    "redeliver",
    now,
    now,
  ]);
  const created = await insertDeliveries(sql, rows, ` RETURNING "id"`);
  return { deliveryIds: created.map((row) => Number(row.id)) };
}

/** Every stored message received in [from, to) that the destination's filter matches, delivered again, in feed
 *  order: one INSERT … SELECT, so a replay of many messages is one statement. Each delivery carries its message's
 *  feed position, which claims follow (claims.ts): the rows need no sort here, a sort SQLite would hold in memory
 *  for the whole range (temp_store = MEMORY, db/client.ts). */
export async function replay(
  sql: DriverSql,
  destination: DestinationView,
  from: Date,
  to: Date,
  now: Date,
): Promise<number> {
  const { api, channels } = destination.filter;
  const conditions = [`m."receivedAt" >= ?`, `m."receivedAt" < ?`];
  const args: unknown[] = [destination.id, now, now, from, to];
  if (api !== undefined) {
    conditions.push(`m."api" = ?`);
    args.push(api);
  }
  if (channels !== undefined) {
    conditions.push(`m."channel" IN (${placeholders(channels)})`);
    args.push(...channels);
  }
  const rows = await sql.query(
    `INSERT INTO "Delivery" ("destinationId", "messageRowId", "position", "orderKey", "trigger", "nextAttemptAt", "createdAt", "status")
     SELECT ?, m."id", f."position", m."customsDeclarationReference", 'replay', ?, ?, 'pending'
     FROM "Message" m JOIN "FeedEntry" f ON f."messageRowId" = m."id" WHERE ${conditions.join(" AND ")}
     RETURNING "id"`,
    args,
  );
  return rows.length;
}

/** Stops a replay: its deliveries not yet delivered fail, marked as cancelled (one being sent finishes). */
export async function cancelReplay(db: Db, destinationId: number, now: Date): Promise<number> {
  const { count } = await db.delivery.updateMany({
    where: {
      destinationId,
      trigger: "replay",
      status: "pending",
      OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }],
    },
    data: { status: "failed", lastError: "replay cancelled", completedAt: now },
  });
  return count;
}

export interface DeliveryFilter {
  destinationId: number;
  status?: "pending" | "delivered" | "failed";
  trigger?: "live" | "redeliver" | "replay";
  limit: number;
  cursor?: number;
}

/** A destination's deliveries, newest first, each with its attempts. */
export async function listDeliveries(db: Db, filter: DeliveryFilter) {
  const rows = await db.delivery.findMany({
    where: {
      destinationId: filter.destinationId,
      status: filter.status,
      trigger: filter.trigger,
      ...(filter.cursor ? { id: { lt: filter.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: filter.limit + 1,
  });
  const page = pageOf(rows, filter.limit, "delivery");
  const attempts = await db.deliveryAttempt.findMany({
    where: { deliveryId: { in: page.items.map((row) => row.id) } },
    orderBy: { id: "asc" },
  });
  const items = page.items.map((row) => ({
    ...row,
    attemptLog: attempts.filter((attempt) => attempt.deliveryId === row.id),
  }));
  return { items, nextCursor: page.nextCursor };
}
