import { type Db, IN_LIST_CHUNK, inListChunks } from "../db/client";
import type { ValidationLabel } from "../douane/examine";
import { parseExact, stringifyExact } from "../douane/numbers";
import type { Prisma } from "../generated/sqlite/client";
import { pageOf } from "./paging";
import { bodyOf } from "./stored-body";
import { summaryColumns } from "./views";

/** The filters of GET /v1/messages, in Douane's field names. Each equality filter has its own (column, id)
 *  index, so "this filter, newest first" is one index range scan on both databases; lrn, mrn and
 *  customsDeclarationReference match any declaration a message names, through MessageDeclaration's indexes. */
export interface MessageFilters {
  api?: string;
  channel?: string;
  lrn?: string;
  mrn?: string;
  customsDeclarationReference?: string;
  customsRequestReference?: string;
  operatorRequestReference?: string;
  state?: string;
  validation?: ValidationLabel;
  tokenId?: number;
  /** Inclusive. */
  receivedFrom?: Date;
  /** Exclusive. */
  receivedTo?: Date;
}

export interface Page {
  limit: number;
  /** The last id of the previous page. */
  cursor?: number;
}

export async function listMessages(db: Db, filters: MessageFilters, page: Page) {
  const { receivedFrom, receivedTo, lrn, mrn, customsDeclarationReference, ...equalities } = filters;
  const where: Prisma.MessageWhereInput = { ...equalities };
  if (receivedFrom || receivedTo) where.receivedAt = { gte: receivedFrom, lt: receivedTo };
  const named = Object.entries({ lrn, mrn, customsDeclarationReference }).filter(
    (entry): entry is [DeclarationKey, string] => entry[1] !== undefined,
  );
  const find = (id: Prisma.IntFilter, take: number) =>
    db.message.findMany({ where: { ...where, id }, orderBy: { id: "desc" }, take, select: summaryColumns });
  if (named.length === 0) return pageOf(await find({ lt: page.cursor }, page.limit + 1), page.limit, "message");
  // Newest first through MessageDeclaration's index, a chunk of message ids at a time: a `some` relation filter
  // would be a correlated EXISTS that SQLite evaluates for every message of the table.
  const rows: Awaited<ReturnType<typeof find>> = [];
  for (let before = page.cursor; rows.length <= page.limit; ) {
    const chunk = await idsNaming(db, named, before);
    if (chunk.ids.length > 0) rows.push(...(await find({ in: chunk.ids }, page.limit + 1 - rows.length)));
    if (chunk.last === undefined) break;
    before = chunk.last;
  }
  return pageOf(rows, page.limit, "message");
}

type DeclarationKey = "lrn" | "mrn" | "customsDeclarationReference";

/** The next ids below `before`, newest first, of messages that name a declaration with each of these keys (in any
 *  of its declarations); `last` is where the next chunk starts, undefined once there is none. */
async function idsNaming(db: Db, named: [DeclarationKey, string][], before?: number) {
  const [[key, value], ...others] = named;
  const rows = await db.messageDeclaration.findMany({
    where: { [key]: value, messageRowId: { lt: before } },
    orderBy: { messageRowId: "desc" },
    take: IN_LIST_CHUNK,
    select: { messageRowId: true },
  });
  let ids = [...new Set(rows.map((row) => row.messageRowId))];
  for (const [otherKey, otherValue] of others) {
    if (ids.length === 0) break;
    const also = await db.messageDeclaration.findMany({
      where: { [otherKey]: otherValue, messageRowId: { in: ids } },
      select: { messageRowId: true },
    });
    const found = new Set(also.map((row) => row.messageRowId));
    ids = ids.filter((id) => found.has(id));
  }
  return { ids, last: rows.length === IN_LIST_CHUNK ? rows[rows.length - 1].messageRowId : undefined };
}

export async function findMessage(db: Db, id: number) {
  const row = await db.message.findUnique({
    where: { id },
    include: { declarations: { orderBy: { position: "asc" } } },
  });
  if (!row) return null;
  const { rawBody, rawBodyCompression, findings, pathParams, headers, declarations, ...columns } = row;
  return {
    ...columns,
    findings: JSON.parse(findings),
    pathParams: JSON.parse(pathParams),
    headers: JSON.parse(headers),
    declarations: declarations.map(({ lrn, customsDeclarationReference, mrn }) => ({
      lrn,
      customsDeclarationReference,
      mrn,
    })),
    payload: payloadOf(bodyOf({ rawBody, rawBodyCompression })),
  };
}

/** The exact bytes Douane sent, and their content type. */
export async function findRawBody(db: Db, id: number) {
  const row = await db.message.findUnique({
    where: { id },
    select: { rawBody: true, rawBodyCompression: true, contentType: true },
  });
  return row && { rawBody: bodyOf(row), contentType: row.contentType };
}

/** What an ERP polls: every message about one declaration in Douane's own order (messageDateTime, which
 *  says when Douane issued it; arrival order can differ after retries), and where the declaration stands. */
export async function declarationTimeline(db: Db, customsDeclarationReference: string) {
  const named = await db.messageDeclaration.findMany({
    where: { customsDeclarationReference },
    select: { messageRowId: true, lrn: true, mrn: true },
  });
  if (named.length === 0) return null;
  const ids = [...new Set(named.map((declaration) => declaration.messageRowId))];
  const messages = [];
  for (const chunk of inListChunks(ids)) {
    messages.push(
      ...(await db.message.findMany({
        where: { id: { in: chunk } },
        select: summaryColumns,
      })),
    );
  }
  // Douane's order: messageDateTime, then arrival; a message without one last.
  messages.sort(
    (a, b) => (a.messageDateTime?.getTime() ?? Infinity) - (b.messageDateTime?.getTime() ?? Infinity) || a.id - b.id,
  );
  const newestFirst = [...messages].reverse();
  // lrn and mrn as the messages say them of this declaration: a registration names up to 99 others.
  const latest = (key: "lrn" | "mrn") =>
    newestFirst
      .flatMap((message) => named.filter((declaration) => declaration.messageRowId === message.id))
      .find((declaration) => declaration[key] !== null)?.[key] ?? null;
  const state = newestFirst.find((message) => message.state !== null)?.state ?? null;
  return { customsDeclarationReference, state, lrn: latest("lrn"), mrn: latest("mrn"), messages };
}

/** The body as JSON, or null when it is not JSON or is nested too deep to be answered as JSON again
 *  (JSON.stringify runs out of stack past a few thousand levels): /raw still has it. */
export function parseJsonOrNull(bytes: Buffer): unknown {
  try {
    const value = JSON.parse(bodyText(bytes));
    JSON.stringify(value);
    return value;
  } catch {
    return null;
  }
}

/** The body as shown to people: every number with the digits Douane sent (answer it with stringifyExact).
 *  JSON.parse's reading when lossless-json cannot read it (a repeated key, very deep nesting). */
function payloadOf(bytes: Buffer): unknown {
  try {
    const value = parseExact(bodyText(bytes));
    if (value !== null) {
      stringifyExact(value);
      return value;
    }
  } catch {
    // not UTF-8, or too deep to be answered again: as below
  }
  return parseJsonOrNull(bytes);
}

/** The body's text; throws when it is not UTF-8. A leading byte order mark is not part of the JSON text. */
export function bodyText(bytes: Buffer): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
