import { type DriverSql, type Procedure, placeholders, prismaSql, type SqlQuery } from "../db/driver";
import type { AfterInsert, StoredRow } from "../messages/store-group";
import type { AcceptHook } from "../quarantine/accept";
import { matches, type StoredMessage } from "./cache";
import type { DestinationView } from "./destinations";

const ROWS_PER_INSERT = 500; // 7 parameters a row: well under SQLite's and PostgreSQL's limits

/**
 * Called inside the transaction that stores `messages` (group commit or quarantine accept), so a message is
 * never committed without its feed position and its deliveries, nor they without it.
 * The feed positions are taken LAST, by one UPDATE of the counter row: its row lock is held until commit, so
 * positions are handed out in commit order, without gaps, even with several replicas writing at once.
 */
async function recordStored(
  sql: SqlQuery,
  messages: StoredMessage[],
  destinations: DestinationView[],
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  const [counter] = await sql.query(
    `UPDATE "FeedCounter" SET "position" = "position" + ? WHERE "id" = 1 RETURNING "position"`,
    [messages.length],
  );
  if (!counter) throw new Error("the FeedCounter row is missing: it is created by migration 0007_delivery");
  const first = Number(counter.position) - messages.length + 1;
  const positioned = messages.map((message, i) => ({ message, position: first + i }));
  await insertRows(
    sql,
    `"FeedEntry" ("position", "messageRowId")`,
    positioned.map(({ message, position }) => [position, message.id]),
  );
  const deliveries = positioned.flatMap(({ message, position }) =>
    destinations
      .filter((destination) => matches(destination, message))
      .map((destination) => [
        destination.id,
        message.id,
        position,
        message.customsDeclarationReference,
        "live",
        now,
        now,
      ]),
  );
  await insertDeliveries(sql, deliveries);
}

/** Rows of [destinationId, messageRowId, position, orderKey, trigger, nextAttemptAt, createdAt]. */
export async function insertDeliveries(
  sql: SqlQuery,
  rows: unknown[][],
  returning = "",
): Promise<Record<string, unknown>[]> {
  const target = `"Delivery" ("destinationId", "messageRowId", "position", "orderKey", "trigger", "nextAttemptAt", "createdAt", "status")`;
  return insertRows(
    sql,
    target,
    rows.map((row) => [...row, "pending"]),
    returning,
  );
}

async function insertRows(
  sql: SqlQuery,
  target: string,
  rows: unknown[][],
  returning = "",
): Promise<Record<string, unknown>[]> {
  const returned: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const rowsSql = chunk.map((row) => `(${placeholders(row)})`).join(", ");
    const insert = `INSERT INTO ${target} VALUES ${rowsSql}${returning}`;
    if (returning) returned.push(...(await sql.query(insert, chunk.flat())));
    else await sql.send(insert, chunk.flat());
  }
  return returned;
}

interface StoredWith {
  destinations: DestinationView[];
  now: Date;
}

/** @public The bodies of this file's procedures, found by name where the connection lives (db/driver.ts). */
export const procedures = {
  recordStored: (sql: SqlQuery, { rows, with: { destinations, now } }: { rows: StoredRow[]; with: StoredWith }) =>
    recordStored(sql, rows, destinations, now),
};
const recordStoredProcedure: Procedure<{ rows: StoredRow[]; with: StoredWith }, void> = {
  module: __filename,
  name: "recordStored",
};

/** What the intake's writer and quarantine accept run inside their transactions. */
export function storedHooks(
  provider: DriverSql["provider"],
  destinations: () => DestinationView[],
  clock: () => Date,
): { writer: () => AfterInsert<StoredWith>; accept: AcceptHook } {
  return {
    writer: () => ({ procedure: recordStoredProcedure, with: { destinations: destinations(), now: clock() } }),
    accept: (tx, row) => recordStored(prismaSql(provider, tx), [row], destinations(), clock()),
  };
}
