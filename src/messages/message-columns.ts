import { placeholders } from "../db/driver";
import { keyOf } from "./classify";
import type { MessageRecord } from "./records";

/** The Message columns the intake writes, each beside the value it takes from a record: one list, so the
 *  column list and the argument list of the group INSERT cannot drift apart. */
const COLUMNS: [column: string, value: (record: MessageRecord) => unknown][] = [
  ["api", (r) => r.api],
  ["channel", (r) => r.channel],
  ["messageId", (r) => r.messageId],
  ["pathParams", (r) => JSON.stringify(r.pathParams)],
  ["rawBody", (r) => r.storedBody],
  ["rawBodyCompression", (r) => r.rawBodyCompression],
  ["bodySha256", (r) => r.bodySha256],
  ["contentType", (r) => r.contentType],
  ["headers", (r) => JSON.stringify(r.headers)],
  ["receivedAt", (r) => r.receivedAt],
  ["tokenId", (r) => r.tokenId],
  ["validation", (r) => r.validation],
  ["findings", (r) => JSON.stringify(r.findings)],
  ["lrn", (r) => r.lrn],
  ["mrn", (r) => r.mrn],
  ["customsDeclarationReference", (r) => r.customsDeclarationReference],
  ["customsRequestReference", (r) => r.customsRequestReference],
  ["operatorRequestReference", (r) => r.operatorRequestReference],
  ["state", (r) => r.state],
  ["messageDateTime", (r) => r.messageDateTime],
  ["messageDateTimeRaw", (r) => r.messageDateTimeRaw],
  ["simulated", (r) => r.simulated],
];

const COLUMN_LIST = COLUMNS.map(([column]) => `"${column}"`).join(", ");
const ROW_PLACEHOLDERS = `(${placeholders(COLUMNS)})`;

/** One INSERT for the whole group (so one commit); rows whose (api, messageId) is taken are skipped, and the
 *  ones inserted come back with their ids. */
export function groupInsert(records: MessageRecord[]): { sql: string; args: unknown[] } {
  return {
    sql: `INSERT INTO "Message" (${COLUMN_LIST}) VALUES ${records.map(() => ROW_PLACEHOLDERS).join(", ")} ON CONFLICT ("api", "messageId") DO NOTHING RETURNING "id", "api", "messageId", "channel", "customsDeclarationReference"`,
    args: rowArguments(records),
  };
}

/** Every record's values in column order, in one array (a group has up to 200 rows of 21). */
function rowArguments(records: MessageRecord[]): unknown[] {
  const args: unknown[] = [];
  for (const record of records) for (const [, value] of COLUMNS) args.push(value(record));
  return args;
}

const DECLARATION_COLUMNS = `"messageRowId", "position", "lrn", "customsDeclarationReference", "mrn"`;

/** PostgreSQL: the same rows as `declarationInserts`, as a data-modifying CTE of the group's one statement, for the
 *  messages in `inserted` (a CTE of the inserted rows with `ordinal`, their record's place in `records` from 1).
 *  Each column is one array, so the statement's size does not grow with the declarations (a group of registrations
 *  can name 20,000). */
export function declarationsCte(
  records: Pick<MessageRecord, "declarations">[],
  inserted: string,
): { sql: string; args: unknown[] } {
  const rows = records.flatMap((record, i) =>
    record.declarations.map((d) => [i + 1, d.position, d.lrn, d.customsDeclarationReference, d.mrn]),
  );
  const column = (n: number) => rows.map((row) => row[n]);
  return {
    sql: `"declarations" AS (INSERT INTO "MessageDeclaration" (${DECLARATION_COLUMNS})
      SELECT i."id", d."position", d."lrn", d."customsDeclarationReference", d."mrn"
      FROM unnest(?::integer[], ?::integer[], ?::text[], ?::text[], ?::text[])
        AS d("ordinal", "position", "lrn", "customsDeclarationReference", "mrn")
      JOIN ${inserted} i ON i."ordinal" = d."ordinal")`,
    args: [0, 1, 2, 3, 4].map(column),
  };
}
const MAX_DECLARATION_ROWS = 6_000; // 5 parameters a row: 30,000, under both databases' limits

/** The rows of MessageDeclaration for the messages just inserted (`inserted`: key → row id), a statement per
 *  6,000 declarations: every declaration a message names, findable by any of its references. */
export function declarationInserts(
  records: Pick<MessageRecord, "api" | "messageId" | "declarations">[],
  inserted: Map<string, number>,
): { sql: string; args: unknown[] }[] {
  const rows = records.flatMap((record) => {
    const id = inserted.get(keyOf(record));
    return id === undefined
      ? []
      : record.declarations.map((d) => [id, d.position, d.lrn, d.customsDeclarationReference, d.mrn]);
  });
  const statements: { sql: string; args: unknown[] }[] = [];
  for (let start = 0; start < rows.length; start += MAX_DECLARATION_ROWS) {
    const chunk = rows.slice(start, start + MAX_DECLARATION_ROWS);
    statements.push({
      sql: `INSERT INTO "MessageDeclaration" (${DECLARATION_COLUMNS}) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
      args: chunk.flat(),
    });
  }
  return statements;
}
