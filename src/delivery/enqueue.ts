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

/**
 * PostgreSQL: the same as `recordStored`, as data-modifying CTEs of the one statement that inserts the group's
 * messages into `inserted` (with `ordinal`: the place from 1 of each one's record in `records`), so that the group
 * commits in one round trip. The counter's row lock is then held only from this UPDATE to the statement's commit.
 * A missing counter row fails the statement (positions would be NULL) with an error that is not about the data.
 */
function recordStoredCtes(
  records: Pick<StoredMessage, "api" | "channel">[],
  inserted: string,
  destinations: DestinationView[],
  now: Date,
): { sql: string; args: unknown[] } {
  const deliveries = records.flatMap((record, i) =>
    destinations.flatMap((destination, rank) => (matches(destination, record) ? [[i + 1, destination.id, rank]] : [])),
  );
  const column = (n: number) => deliveries.map((row) => row[n]);
  return {
    sql: `"feedCounter" AS (UPDATE "FeedCounter" SET "position" = "position" + (SELECT count(*) FROM ${inserted})
        WHERE "id" = 1 AND EXISTS (SELECT 1 FROM ${inserted}) RETURNING "position"),
      "feed" AS (INSERT INTO "FeedEntry" ("position", "messageRowId")
        SELECT COALESCE(c."position", current_setting('${MISSING_COUNTER}')::integer) - (SELECT count(*) FROM ${inserted})
          + row_number() OVER (ORDER BY i."id"), i."id"
        FROM ${inserted} i LEFT JOIN "feedCounter" c ON true
        RETURNING "position", "messageRowId"),
      "deliveries" AS (INSERT INTO ${DELIVERY_TARGET}
        SELECT d."destinationId", i."id", f."position", i."customsDeclarationReference", 'live', ?::timestamp(3),
          ?::timestamp(3), 'pending'
        FROM unnest(?::integer[], ?::integer[], ?::integer[]) AS d("ordinal", "destinationId", "rank")
        JOIN ${inserted} i ON i."ordinal" = d."ordinal" JOIN "feed" f ON f."messageRowId" = i."id"
        ORDER BY f."position", d."rank")`,
    args: [now, now, column(0), column(1), column(2)],
  };
}
/** Read only when the counter row is missing: the error names the cause ("unrecognized configuration parameter"). */
const MISSING_COUNTER = "receiver.FeedCounter row is missing: it is created by migration 0007_delivery";

const DELIVERY_TARGET = `"Delivery" ("destinationId", "messageRowId", "position", "orderKey", "trigger", "nextAttemptAt", "createdAt", "status")`;

/** Rows of [destinationId, messageRowId, position, orderKey, trigger, nextAttemptAt, createdAt]. */
export async function insertDeliveries(
  sql: SqlQuery,
  rows: unknown[][],
  returning = "",
): Promise<Record<string, unknown>[]> {
  return insertRows(
    sql,
    DELIVERY_TARGET,
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
    writer: () => {
      const stored = { destinations: destinations(), now: clock() };
      return {
        procedure: recordStoredProcedure,
        with: stored,
        inStatement: (records, inserted) => recordStoredCtes(records, inserted, stored.destinations, stored.now),
      };
    },
    accept: (tx, row) => recordStored(prismaSql(provider, tx), [row], destinations(), clock()),
  };
}
