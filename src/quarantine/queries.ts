import type { Db } from "../db/client";
import { pageOf } from "../messages/paging";
import type { Page } from "../messages/queries";
import type { QuarantineReason } from "../messages/records";
import { quarantineColumns } from "./views";

/** Quarantined bodies, newest first; the (reason, id) index serves the reason filter. */
export async function listQuarantine(db: Db, filters: { reason?: QuarantineReason }, page: Page) {
  const rows = await db.quarantinedBody.findMany({
    where: { ...filters, ...(page.cursor !== undefined ? { id: { lt: page.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: page.limit + 1,
    select: quarantineColumns,
  });
  return pageOf(rows, page.limit, "quarantine");
}

export async function findQuarantined(db: Db, id: number) {
  const row = await db.quarantinedBody.findUnique({ where: { id }, omit: { rawBody: true } });
  if (!row) return null;
  return { ...row, pathParams: JSON.parse(row.pathParams), headers: JSON.parse(row.headers), detail: JSON.parse(row.detail) };
}

export async function findQuarantinedRawBody(db: Db, id: number) {
  return db.quarantinedBody.findUnique({ where: { id }, select: { rawBody: true, contentType: true } });
}
