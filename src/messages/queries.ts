import type { Validation } from "../douane/contract";
import type { Db } from "../db/client";
import type { Prisma } from "../generated/sqlite/client";
import { pageOf } from "./paging";
import { summaryColumns } from "./views";

/** The filters of GET /v1/messages, in Douane's field names. Each equality filter has its own (column, id)
 *  index, so "this filter, newest first" is one index range scan on both databases. */
export interface MessageFilters {
  api?: string;
  channel?: string;
  lrn?: string;
  mrn?: string;
  customsDeclarationReference?: string;
  customsRequestReference?: string;
  operatorRequestReference?: string;
  state?: string;
  validation?: Validation;
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
  const { receivedFrom, receivedTo, ...equalities } = filters;
  const where: Prisma.MessageWhereInput = { ...equalities };
  if (receivedFrom || receivedTo) where.receivedAt = { gte: receivedFrom, lt: receivedTo };
  if (page.cursor !== undefined) where.id = { lt: page.cursor };
  const rows = await db.message.findMany({ where, orderBy: { id: "desc" }, take: page.limit + 1, select: summaryColumns });
  return pageOf(rows, page.limit, "message");
}

export async function findMessage(db: Db, id: number) {
  const row = await db.message.findUnique({ where: { id } });
  if (!row) return null;
  const { rawBody, findings, pathParams, headers, ...columns } = row;
  return {
    ...columns,
    findings: JSON.parse(findings),
    pathParams: JSON.parse(pathParams),
    headers: JSON.parse(headers),
    payload: parseJsonOrNull(Buffer.from(rawBody)),
  };
}

export async function findRawBody(db: Db, id: number) {
  return db.message.findUnique({ where: { id }, select: { rawBody: true, contentType: true } });
}

/** What an ERP polls: every message about one declaration in Douane's own order (messageDateTime, which
 *  says when Douane issued it; arrival order can differ after retries), and where the declaration stands. */
export async function declarationTimeline(db: Db, customsDeclarationReference: string) {
  const messages = await db.message.findMany({
    where: { customsDeclarationReference },
    orderBy: [{ messageDateTime: { sort: "asc", nulls: "last" } }, { id: "asc" }],
    select: summaryColumns,
  });
  if (messages.length === 0) return null;
  const newestFirst = [...messages].reverse();
  const latest = (key: "state" | "lrn" | "mrn") => newestFirst.find((message) => message[key] !== null)?.[key] ?? null;
  return { customsDeclarationReference, state: latest("state"), lrn: latest("lrn"), mrn: latest("mrn"), messages };
}

/** The body as JSON, or null when it is not JSON or is nested too deep to be answered as JSON again
 *  (JSON.stringify runs out of stack past a few thousand levels): /raw still has it. */
export function parseJsonOrNull(bytes: Buffer): unknown {
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    JSON.stringify(value);
    return value;
  } catch {
    return null;
  }
}
