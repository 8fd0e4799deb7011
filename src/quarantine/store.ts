import type { Logger } from "pino";
import type { Db } from "../db/client";
import type { QuarantineRecord } from "../messages/records";
import type { Answered } from "../messages/writer";

/** Where a row is still waiting for a decision: neither accepted nor dismissed. */
export const OPEN = { acceptedAt: null, dismissedAt: null } as const;

/** Keeps a body we refused (or that conflicts with a stored message), so nothing Douane sent is lost.
 *  A body identical to one still open (same bytes, reason, api and channel: a sender retrying) is kept once,
 *  its row counting the arrivals. A too-large body has no bytes kept, so two of them are never known equal. */
export async function quarantine(db: Db, record: QuarantineRecord): Promise<number> {
  if (record.reason !== "too_large") {
    const same = {
      ...OPEN,
      bodySha256: record.bodySha256,
      reason: record.reason,
      api: record.api,
      channel: record.channel,
    };
    const existing = await db.quarantinedBody.findFirst({ where: same, orderBy: { id: "asc" }, select: { id: true } });
    if (existing) {
      const { count } = await db.quarantinedBody.updateMany({
        where: { id: existing.id, ...OPEN },
        data: { seenCount: { increment: 1 }, lastSeenAt: record.receivedAt },
      });
      if (count === 1) return existing.id;
    }
  }
  const row = await db.quarantinedBody.create({
    data: {
      api: record.api,
      channel: record.channel,
      pathParams: JSON.stringify(record.pathParams),
      reason: record.reason,
      detail: JSON.stringify(record.detail ?? null),
      messageId: record.messageId,
      rawBody: record.rawBody as Uint8Array<ArrayBuffer>,
      bodyBytes: record.rawBody.length,
      bodySha256: record.bodySha256,
      contentType: record.contentType,
      headers: JSON.stringify(record.headers),
      receivedAt: record.receivedAt,
      tokenId: record.tokenId,
      simulated: record.simulated,
    },
    select: { id: true },
  });
  return row.id;
}

export type DismissOutcome =
  | { outcome: "dismissed" }
  | { outcome: "not_found" }
  | { outcome: "already_accepted"; messageRowId: number | null }
  | { outcome: "already_dismissed"; dismissedBy: string | null; dismissedReason: string | null };

/** Closes an open row without storing it, recording who, when and why. Conditional on the row being open,
 *  so a dismissal and an acceptance racing each other cannot both win. */
export async function dismissQuarantined(
  db: Db,
  dismissal: { quarantineId: number; reason: string; actor: string; now: Date },
): Promise<DismissOutcome> {
  const { count } = await db.quarantinedBody.updateMany({
    where: { id: dismissal.quarantineId, ...OPEN },
    data: { dismissedAt: dismissal.now, dismissedBy: dismissal.actor, dismissedReason: dismissal.reason },
  });
  if (count === 1) return { outcome: "dismissed" };
  const row = await db.quarantinedBody.findUnique({ where: { id: dismissal.quarantineId } });
  if (!row) return { outcome: "not_found" };
  if (row.acceptedAt) return { outcome: "already_accepted", messageRowId: row.messageRowId };
  return { outcome: "already_dismissed", dismissedBy: row.dismissedBy, dismissedReason: row.dismissedReason };
}

/** Reasons a later valid message with the same messageId makes moot: Douane re-sent it right. */
const SUPERSEDABLE = ["invalid_schema", "unsupported_content_type", "conflict"];

/** A valid message with this messageId was stored (or re-sent) at `at`: open invalid or conflicting bodies with
 *  the same messageId that arrived before it are closed, pointing at the message. Returns how many. */
async function closeSuperseded(
  db: Db,
  message: { api: string; messageId: string; messageRowId: number; at: Date },
): Promise<number> {
  const where = {
    ...OPEN,
    api: message.api,
    messageId: message.messageId,
    reason: { in: SUPERSEDABLE },
    receivedAt: { lte: message.at },
  };
  // A read first: almost every valid message has nothing to close, and a read costs no write lock.
  if (!(await db.quarantinedBody.findFirst({ where, select: { id: true } }))) return 0;
  const { count } = await db.quarantinedBody.updateMany({
    where,
    data: {
      dismissedAt: message.at,
      dismissedBy: "system",
      dismissedReason: `superseded by message ${message.messageRowId} (a later valid re-send)`,
    },
  });
  return count;
}

/** After a group commit: every message stored or re-sent that is not invalid closes the bodies it supersedes
 *  (see above), for the keys the group's transaction found a body open under (almost none). The writes come after
 *  the answer, so quarantine writes waiting on a lock never hold an acknowledged callback; the read is the group's
 *  (on PostgreSQL a DDL lock on QuarantinedBody then holds the group's statement, as one on Message does). */
export function closeSupersededAfterCommit(db: Db, logger: Logger) {
  return (answered: Answered[]): void => {
    const superseding = answered.flatMap(({ record, outcome, quarantined }) =>
      quarantined &&
      record.validation !== "invalid" &&
      (outcome.outcome === "stored" || outcome.outcome === "duplicate")
        ? [{ api: record.api, messageId: record.messageId, messageRowId: outcome.id, at: record.receivedAt }]
        : [],
    );
    if (superseding.length === 0) return;
    void (async () => {
      for (const message of superseding) await closeSuperseded(db, message);
    })().catch((error) => logger.warn({ err: error }, "could not close the quarantined bodies messages supersede"));
  };
}
