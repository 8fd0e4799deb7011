import type { Db } from "../db/client";
import { parseExact, stringifyExact } from "../douane/numbers";
import type { Prisma } from "../generated/sqlite/client";
import { pageOf } from "./paging";
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
  validation?: "valid" | "invalid" | "unchecked";
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
  const naming = await messagesNaming(db, { lrn, mrn, customsDeclarationReference }, page.cursor);
  where.id = { lt: page.cursor, in: naming };
  const rows = await db.message.findMany({ where, orderBy: { id: "desc" }, take: page.limit + 1, select: summaryColumns });
  return pageOf(rows, page.limit, "message");
}

/** The ids of the messages that name a declaration with all these keys (each in any of its declarations), below
 *  `before`; undefined when no key is given. Looked up first, in MessageDeclaration's index: a `some` relation
 *  filter becomes a correlated EXISTS that SQLite evaluates for every message of the table. A declaration is
 *  named by a few messages, so the list stays short. */
async function messagesNaming(db: Db, keys: Partial<Record<"lrn" | "mrn" | "customsDeclarationReference", string>>, before?: number) {
  let ids: number[] | undefined;
  for (const [key, value] of Object.entries(keys)) {
    if (value === undefined) continue;
    const rows = await db.messageDeclaration.findMany({ where: { [key]: value, messageRowId: { lt: before } }, select: { messageRowId: true } });
    const found = new Set(rows.map((row) => row.messageRowId));
    ids = ids === undefined ? [...found] : ids.filter((id) => found.has(id));
  }
  return ids;
}

export async function findMessage(db: Db, id: number) {
  const row = await db.message.findUnique({ where: { id }, include: { declarations: { orderBy: { position: "asc" } } } });
  if (!row) return null;
  const { rawBody, findings, pathParams, headers, declarations, ...columns } = row;
  return {
    ...columns,
    findings: JSON.parse(findings),
    pathParams: JSON.parse(pathParams),
    headers: JSON.parse(headers),
    declarations: declarations.map(({ lrn, customsDeclarationReference, mrn }) => ({ lrn, customsDeclarationReference, mrn })),
    payload: payloadOf(Buffer.from(rawBody)),
  };
}

export async function findRawBody(db: Db, id: number) {
  return db.message.findUnique({ where: { id }, select: { rawBody: true, contentType: true } });
}

/** What an ERP polls: every message about one declaration in Douane's own order (messageDateTime, which
 *  says when Douane issued it; arrival order can differ after retries), and where the declaration stands. */
export async function declarationTimeline(db: Db, customsDeclarationReference: string) {
  const named = await db.messageDeclaration.findMany({ where: { customsDeclarationReference }, select: { messageRowId: true, lrn: true, mrn: true } });
  if (named.length === 0) return null;
  const messages = await db.message.findMany({
    where: { id: { in: [...new Set(named.map((declaration) => declaration.messageRowId))] } },
    orderBy: [{ messageDateTime: { sort: "asc", nulls: "last" } }, { id: "asc" }],
    select: summaryColumns,
  });
  const newestFirst = [...messages].reverse();
  // lrn and mrn as the messages say them of this declaration: a registration names up to 99 others.
  const latest = (key: "lrn" | "mrn") =>
    newestFirst.flatMap((message) => named.filter((declaration) => declaration.messageRowId === message.id)).find((declaration) => declaration[key] !== null)?.[key] ?? null;
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
export function payloadOf(bytes: Buffer): unknown {
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
