import { type Procedure, placeholders, runProcedure, type SqlQuery } from "../db/driver";
import { preparedOnPostgres } from "../db/pg-pool";
import { keyOf } from "./classify";
import { declarationInserts, declarationsCte, groupInsert } from "./message-columns";
import type { MessageRecord } from "./records";

export interface StoredRow {
  id: number;
  api: string;
  channel: string;
  customsDeclarationReference: string | null;
}

/** What must commit with the messages (their feed positions and deliveries): a procedure given the rows inserted
 *  and `with`, the data it needs from the caller's side (it may run on the SQLite thread). */
export interface AfterInsert<With = unknown> {
  procedure: Procedure<{ rows: StoredRow[]; with: With }, void>;
  with: With;
  /** PostgreSQL: the same work as data-modifying CTEs of the group's one statement (see insertGroupAtOnce). */
  inStatement(records: Pick<MessageRecord, "api" | "channel">[], inserted: string): { sql: string; args: unknown[] };
}

export interface GroupInput {
  insert: { sql: string; args: unknown[] };
  named: Pick<MessageRecord, "api" | "messageId" | "declarations">[];
  afterInsert: Pick<AfterInsert, "procedure" | "with"> | null;
}

/** Rows already stored, by key (classify.ts keyOf). */
export type Found = Map<string, { id: number; bodySha256: string }>;

export interface GroupWritten {
  inserted: Map<string, number>;
  found: Found;
  /** The group's keys under which a quarantined body is still open (quarantine/store.ts closes those a valid
   *  message supersedes): read in the group's transaction, not in a round trip of its own after it. */
  quarantined: Set<string>;
}

/** One transaction, so one commit, for the whole group: the messages in one statement, then the declarations
 *  they name (a few statements at most), then what must commit with them; returns the key and id of each row
 *  it inserted, and the rows already stored under the other keys (read in the same transaction, so every key is
 *  in one or the other: no second trip to the connection's thread before the answers), and the keys with an open
 *  quarantined body. */
async function insertGroup(sql: SqlQuery, input: GroupInput): Promise<GroupWritten> {
  const returned = await sql.query(input.insert.sql, input.insert.args);
  const inserted = new Map(returned.map((row) => [keyOf(row as { api: string; messageId: string }), Number(row.id)]));
  for (const insert of declarationInserts(input.named, inserted)) await sql.send(insert.sql, insert.args);
  if (input.afterInsert)
    await runProcedure(input.afterInsert.procedure, sql, {
      rows: returned.map(storedOf),
      with: input.afterInsert.with,
    });
  const found = await storedUnder(
    sql,
    input.named.filter((record) => !inserted.has(keyOf(record))),
  );
  return { inserted, found, quarantined: await quarantinedUnder(sql, input.named) };
}

/** The keys under which a quarantined body is open (neither accepted nor dismissed): one indexed read per API.
 *  Almost every message has none. */
async function quarantinedUnder(sql: SqlQuery, keys: { api: string; messageId: string }[]): Promise<Set<string>> {
  const open = new Set<string>();
  for (const [api, messageIds] of messageIdsByApi(keys)) {
    const rows = await sql.query(
      `SELECT DISTINCT "messageId" FROM "QuarantinedBody" WHERE "api" = ? AND "messageId" IN (${placeholders(messageIds)})
         AND ${openQuarantined()}`,
      [api, ...messageIds],
    );
    for (const row of rows) open.add(keyOf({ api, messageId: String(row.messageId) }));
  }
  return open;
}
/** The keys' message ids by API: what the reads by key take, one indexed read per API. */
function messageIdsByApi(keys: { api: string; messageId: string }[]): Map<string, string[]> {
  const byApi = new Map<string, string[]>();
  for (const { api, messageId } of keys) {
    const messageIds = byApi.get(api);
    if (messageIds) messageIds.push(messageId);
    else byApi.set(api, [messageId]);
  }
  return byApi;
}

/** Neither accepted nor dismissed (quarantine/store.ts OPEN, in SQL). */
const openQuarantined = (alias = "") => `${alias}"acceptedAt" IS NULL AND ${alias}"dismissedAt" IS NULL`;

/** The rows stored under these keys, by key: one indexed read per API. */
export async function storedUnder(sql: SqlQuery, keys: { api: string; messageId: string }[]): Promise<Found> {
  const found: Found = new Map();
  for (const [api, messageIds] of messageIdsByApi(keys)) {
    const rows = await sql.query(
      `SELECT "id", "api", "messageId", "bodySha256" FROM "Message" WHERE "api" = ? AND "messageId" IN (${placeholders(messageIds)})`,
      [api, ...messageIds],
    );
    for (const row of rows)
      found.set(keyOf(row as { api: string; messageId: string }), {
        id: Number(row.id),
        bodySha256: String(row.bodySha256),
      });
  }
  return found;
}

/**
 * PostgreSQL: the whole group in one statement, so one round trip and one commit: the messages, the declarations
 * they name and what must commit with them, as data-modifying CTEs (all or nothing, like a transaction), the
 * rows already stored under the keys of the group, and its keys with an open quarantined body. Rows another writer
 * committed after this statement's snapshot are in neither answer: their keys are left for the caller to look up.
 */
export async function insertGroupAtOnce(
  sql: SqlQuery,
  records: MessageRecord[],
  afterInsert: AfterInsert | null,
): Promise<GroupWritten> {
  const insert = groupInsert(records);
  const declarations = declarationsCte(records, `"inserted"`);
  const after = afterInsert?.inStatement(records, `"inserted"`) ?? { sql: "", args: [] };
  const rows = await sql.query(
    preparedOnPostgres(`WITH "keys" AS (SELECT * FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS k("api", "messageId", "ordinal")),
      "insert" AS (${insert.sql}),
      "inserted" AS (SELECT i.*, k."ordinal" FROM "insert" i JOIN "keys" k ON k."api" = i."api" AND k."messageId" = i."messageId"),
      ${declarations.sql}${after.sql ? `, ${after.sql}` : ""}
    SELECT 'inserted' AS "kind", "id", "api", "messageId", NULL AS "bodySha256" FROM "inserted"
    UNION ALL
    SELECT 'found', s."id", s."api", s."messageId", s."bodySha256" FROM "Message" s
      JOIN "keys" k ON s."api" = k."api" AND s."messageId" = k."messageId"
    UNION ALL
    SELECT DISTINCT 'quarantined', NULL::integer, q."api", q."messageId", NULL FROM "QuarantinedBody" q
      JOIN "keys" k ON q."api" = k."api" AND q."messageId" = k."messageId" WHERE ${openQuarantined("q.")}`),
    [
      records.map((record) => record.api),
      records.map((record) => record.messageId),
      ...insert.args,
      ...declarations.args,
      ...after.args,
    ],
  );
  const written: GroupWritten = { inserted: new Map(), found: new Map(), quarantined: new Set() };
  for (const row of rows) {
    const key = keyOf(row as { api: string; messageId: string });
    if (row.kind === "inserted") written.inserted.set(key, Number(row.id));
    else if (row.kind === "found") written.found.set(key, { id: Number(row.id), bodySha256: String(row.bodySha256) });
    else written.quarantined.add(key);
  }
  return written;
}

const storedOf = (row: Record<string, unknown>): StoredRow => ({
  id: Number(row.id),
  api: String(row.api),
  channel: String(row.channel),
  customsDeclarationReference:
    row.customsDeclarationReference === null ? null : String(row.customsDeclarationReference),
});

/** @public The bodies of this file's procedures, found by name where the connection lives (db/driver.ts). */
export const procedures = { insertGroup };
export const insertGroupProcedure: Procedure<GroupInput, GroupWritten> = {
  module: __filename,
  name: "insertGroup",
};
