import type { Db } from "../db/client";
import { pageOf } from "../messages/paging";
import type { Page } from "../messages/queries";
import type { QuarantineReason } from "../messages/records";
import { OPEN } from "./store";
import { quarantineColumns } from "./views";

export const quarantineStates = ["open", "accepted", "dismissed"] as const;
export type QuarantineState = (typeof quarantineStates)[number];

const STATE_FILTERS = {
  open: OPEN,
  accepted: { acceptedAt: { not: null } },
  dismissed: { dismissedAt: { not: null } },
} as const;

/** Quarantined bodies, newest first; the (reason, id) index serves the reason filter. */
export async function listQuarantine(
  db: Db,
  filters: { reason?: QuarantineReason; state?: QuarantineState },
  page: Page,
) {
  const { state, ...columns } = filters;
  const rows = await db.quarantinedBody.findMany({
    where: {
      ...columns,
      ...(state ? STATE_FILTERS[state] : {}),
      ...(page.cursor !== undefined ? { id: { lt: page.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: page.limit + 1,
    select: quarantineColumns,
  });
  return pageOf(rows, page.limit, "quarantine");
}

export async function findQuarantined(db: Db, id: number) {
  const row = await db.quarantinedBody.findUnique({ where: { id }, omit: { rawBody: true } });
  if (!row) return null;
  return {
    ...row,
    pathParams: JSON.parse(row.pathParams),
    headers: JSON.parse(row.headers),
    detail: JSON.parse(row.detail),
  };
}

export async function findQuarantinedRawBody(db: Db, id: number) {
  return db.quarantinedBody.findUnique({ where: { id }, select: { rawBody: true, contentType: true } });
}

/** What the quarantine holds, per API: rows waiting for a decision, and bytes kept (every row, open or not). */
export async function quarantineTotals(db: Db) {
  const open = await db.quarantinedBody.groupBy({ by: ["api"], where: OPEN, _count: { _all: true } });
  const kept = await db.quarantinedBody.aggregate({ _sum: { bodyBytes: true } });
  return { openByApi: new Map(open.map((row) => [row.api, row._count._all])), bytes: kept._sum.bodyBytes ?? 0 };
}
