import type { Db, Tx } from "../db/client";
import type { Prisma } from "../generated/sqlite/client";
import { pageOf } from "../messages/paging";
import type { Page } from "../messages/queries";

export const expectationStatuses = ["open", "overdue", "closed", "represented"] as const;
export type ExpectationStatus = (typeof expectationStatuses)[number];

export interface ExpectedReturn {
  api: string;
  lrn: string | null;
  operatorRequestReference: string | null;
  sentAt: Date;
}

interface Timing {
  now: Date;
  timeoutMinutes: number;
}

/** closed: a return came. represented: none came and a person presented it again. overdue: none came in time. */
export function statusOf(
  row: { closedAt: Date | null; representedAt: Date | null; dueAt: Date },
  now: Date,
): ExpectationStatus {
  if (row.closedAt) return "closed";
  if (row.representedAt) return "represented";
  return row.dueAt <= now ? "overdue" : "open";
}

/** The rows of one status, as a query (the (closedAt, dueAt) index serves open and overdue). */
function whereStatus(status: ExpectationStatus, now: Date): Prisma.ExpectationWhereInput {
  switch (status) {
    case "closed":
      return { closedAt: { not: null } };
    case "represented":
      return { closedAt: null, representedAt: { not: null } };
    case "overdue":
      return { closedAt: null, representedAt: null, dueAt: { lte: now } };
    case "open":
      return { closedAt: null, representedAt: null, dueAt: { gt: now } };
  }
}

/** Registers expected returns; the same one registered again (a retried request) is kept once. Answers the
 *  rows in the order given. Three statements whatever the count: a bulk of 500 stays quick. */
export async function registerExpectations(
  db: Db,
  items: ExpectedReturn[],
  timing: Timing,
  retried = false,
): Promise<ExpectationRow[]> {
  const keys = items.map((item) => registeredKey(item));
  try {
    await db.$transaction(async (tx) => {
      const existing = new Set(
        (await tx.expectation.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } })).map(
          (row) => row.dedupeKey,
        ),
      );
      const fresh = new Map<string, ExpectedReturn>();
      items.forEach((item, i) => !existing.has(keys[i]) && fresh.set(keys[i], item));
      await tx.expectation.createMany({
        data: [...fresh].map(([dedupeKey, item]) => rowOf(item, "registered", null, dedupeKey, timing)),
      });
    });
  } catch (error) {
    // Another request registered one of them between our read and our insert: the second pass finds it.
    if ((error as { code?: string }).code !== "P2002" || retried) throw error;
    return registerExpectations(db, items, timing, true);
  }
  const rows = await db.expectation.findMany({ where: { dedupeKey: { in: keys } } });
  const byKey = new Map(rows.map(({ dedupeKey, ...row }) => [dedupeKey, row]));
  return keys.map((key) => byKey.get(key)!);
}

type ExpectationRow = Omit<Awaited<ReturnType<Db["expectation"]["findUniqueOrThrow"]>>, "dedupeKey">;

const registeredKey = (item: ExpectedReturn) =>
  JSON.stringify([item.api, item.lrn, item.operatorRequestReference, item.sentAt.toISOString()]); // no NUL: PostgreSQL text refuses it

function rowOf(
  item: ExpectedReturn,
  source: "submission" | "registered",
  submissionId: number | null,
  dedupeKey: string,
  timing: Timing,
) {
  return {
    ...item,
    dueAt: new Date(item.sentAt.getTime() + timing.timeoutMinutes * 60_000),
    source,
    submissionId,
    dedupeKey,
    createdAt: timing.now,
  };
}

/** A submission's expectation, inside the transaction that records the submission's outcome. */
export function expectOne(tx: Tx, item: ExpectedReturn, submissionId: number, timing: Timing) {
  return tx.expectation.create({
    data: rowOf(item, "submission", submissionId, `submission:${submissionId}`, timing),
    select: { id: true },
  });
}

export interface ExpectationFilters {
  status?: ExpectationStatus;
  api?: string;
  lrn?: string;
  operatorRequestReference?: string;
}

/** Newest first, in keyset pages like every other list of the internal API. */
export async function listExpectations(db: Db, filters: ExpectationFilters, page: Page, now: Date) {
  const { status, ...equalities } = filters;
  const where: Prisma.ExpectationWhereInput = { ...equalities, ...(status ? whereStatus(status, now) : {}) };
  if (page.cursor !== undefined) where.id = { lt: page.cursor };
  const rows = await db.expectation.findMany({
    where,
    orderBy: { id: "desc" },
    take: page.limit + 1,
    omit: { dedupeKey: true },
  });
  return pageOf(
    rows.map((row) => ({ ...row, status: statusOf(row, now) })),
    page.limit,
    "expectation",
  );
}

/** Overdue expectations per API, for the gauge and the status. */
export async function overdueCounts(db: Db, now: Date): Promise<Map<string, number>> {
  const rows = await db.expectation.groupBy({
    by: ["api"],
    where: whereStatus("overdue", now),
    _count: { _all: true },
  });
  return new Map(rows.map((row) => [row.api, row._count._all]));
}

export type RepresentOutcome =
  | { outcome: "recorded"; id: number }
  | { outcome: "not_found" }
  | { outcome: "closed" }
  | { outcome: "already_represented"; by: string };

/** Records that a person presented the message again: once per expectation, never done by the service itself. */
export async function recordRepresented(
  db: Db,
  id: number,
  action: { actor: string; reason: string; now: Date },
): Promise<RepresentOutcome> {
  const claimed = await db.expectation.updateMany({
    where: { id, closedAt: null, representedAt: null },
    data: { representedAt: action.now, representedBy: action.actor, representedReason: action.reason },
  });
  if (claimed.count === 1) return { outcome: "recorded", id };
  const row = await db.expectation.findUnique({ where: { id } });
  if (!row) return { outcome: "not_found" };
  if (row.representedAt) return { outcome: "already_represented", by: row.representedBy ?? "" };
  return { outcome: "closed" };
}
