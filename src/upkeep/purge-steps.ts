import type { Db } from "../db/client";
import { deleteDeliveries } from "../delivery/destinations";

/** A row a purge may remove: its id, its time, and for messages the body's SHA-256 (checked against the archive). */
export interface Candidate {
  id: number;
  at: Date;
  api: string | null;
  bodySha256?: string;
}

/** Which rows a purge looks at, oldest first, in pages: older than `before` (per API when the table has one),
 *  or only the simulator's, and after the keyset `after`. */
interface CandidateQuery {
  before: Date;
  api: string | null;
  simulatedOnly: boolean;
  after: { at: Date; id: number } | null;
  limit: number;
}

export interface PurgeStep {
  table: string;
  /** True when rows belong to one API: each API's retention then applies (H7_RETENTION_DAYS). */
  byApi: boolean;
  /** Only messages: never removed unless in a verified archive, when ARCHIVE_DIR is set. */
  archived: boolean;
  /** Simulated rows are recognisable (the simulated column). */
  simulated: boolean;
  candidates(db: Db, query: CandidateQuery): Promise<Candidate[]>;
  /** Of these candidates, the ids still owed to a destination (a pending delivery): kept, whatever their age. */
  stillOwed?(db: Db, ids: number[]): Promise<Set<number>>;
  remove(db: Db, ids: number[]): Promise<number>;
}

/** Keyset on (time, id): the next page starts after the last row seen, whether it was removed or kept. */
const keyset = (column: string, query: CandidateQuery) => ({
  [column]: { lt: query.before },
  ...(query.after
    ? { OR: [{ [column]: { gt: query.after.at } }, { [column]: query.after.at, id: { gt: query.after.id } }] }
    : {}),
});

/**
 * What a purge removes, one entry per table, in this order. A table added later is one more entry: its time
 * column in `candidates`, a deleteMany by id in `remove`.
 */
export const purgeSteps: PurgeStep[] = [
  {
    table: "Message",
    byApi: true,
    archived: true,
    simulated: true,
    candidates: async (db, query) =>
      (
        await db.message.findMany({
          where: {
            ...keyset("receivedAt", query),
            ...(query.api ? { api: query.api } : {}),
            ...(query.simulatedOnly ? { simulated: true } : {}),
          },
          orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
          take: query.limit,
          select: { id: true, receivedAt: true, api: true, bodySha256: true },
        })
      ).map((row) => ({ id: row.id, at: row.receivedAt, api: row.api, bodySha256: row.bodySha256 })),
    stillOwed: async (db, ids) =>
      new Set(
        (
          await db.delivery.findMany({
            where: { messageRowId: { in: ids }, status: "pending" },
            select: { messageRowId: true },
          })
        ).map((row) => row.messageRowId),
      ),
    remove: async (db, ids) => (await db.message.deleteMany({ where: { id: { in: ids } } })).count,
  },
  {
    table: "QuarantinedBody",
    byApi: true,
    archived: false,
    simulated: true,
    candidates: async (db, query) =>
      (
        await db.quarantinedBody.findMany({
          where: {
            ...keyset("receivedAt", query),
            ...(query.api ? { api: query.api } : {}),
            ...(query.simulatedOnly ? { simulated: true } : {}),
          },
          orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
          take: query.limit,
          select: { id: true, receivedAt: true, api: true },
        })
      ).map((row) => ({ id: row.id, at: row.receivedAt, api: row.api })),
    remove: async (db, ids) => (await db.quarantinedBody.deleteMany({ where: { id: { in: ids } } })).count,
  },
  {
    table: "TokenEvent",
    byApi: true,
    archived: false,
    simulated: false,
    candidates: async (db, query) =>
      (
        await db.tokenEvent.findMany({
          where: { ...keyset("at", query), ...(query.api ? { api: query.api } : {}) },
          orderBy: [{ at: "asc" }, { id: "asc" }],
          take: query.limit,
          select: { id: true, at: true, api: true },
        })
      ).map((row) => ({ id: row.id, at: row.at, api: row.api })),
    remove: async (db, ids) => (await db.tokenEvent.deleteMany({ where: { id: { in: ids } } })).count,
  },
  {
    // Only deliveries that ended (delivered or failed for good), by creation time, each with its attempts: a pending
    // one is still owed to its destination, and keeps its attempts and its message (Message's stillOwed).
    table: "Delivery",
    byApi: false,
    archived: false,
    simulated: false,
    candidates: async (db, query) =>
      (
        await db.delivery.findMany({
          where: { ...keyset("createdAt", query), status: { not: "pending" } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: query.limit,
          select: { id: true, createdAt: true },
        })
      ).map((row) => ({ id: row.id, at: row.createdAt, api: null })),
    remove: (db, ids) => db.$transaction((tx) => deleteDeliveries(tx, ids)),
  },
];
