import { type Procedure, runProcedure, type SqlQuery } from "../db/driver";
import { keyOf } from "./classify";
import { declarationInserts } from "./message-columns";
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
}

export interface GroupInput {
  insert: { sql: string; args: unknown[] };
  named: Pick<MessageRecord, "api" | "messageId" | "declarations">[];
  afterInsert: AfterInsert | null;
}

/** One transaction, so one commit, for the whole group: the messages in one statement, then the declarations
 *  they name (a few statements at most), then what must commit with them; returns the key and id of each row
 *  it inserted. */
async function insertGroup(sql: SqlQuery, input: GroupInput): Promise<[key: string, id: number][]> {
  const returned = await sql.query(input.insert.sql, input.insert.args);
  const inserted = new Map(returned.map((row) => [keyOf(row as { api: string; messageId: string }), Number(row.id)]));
  for (const insert of declarationInserts(input.named, inserted)) await sql.send(insert.sql, insert.args);
  if (input.afterInsert)
    await runProcedure(input.afterInsert.procedure, sql, {
      rows: returned.map(storedOf),
      with: input.afterInsert.with,
    });
  return [...inserted];
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
export const insertGroupProcedure: Procedure<GroupInput, [key: string, id: number][]> = {
  module: __filename,
  name: "insertGroup",
};
