import type { Db } from "../db/client";
import type { QuarantineRecord } from "../messages/records";

/** Keeps a body we refused (or that conflicts with a stored message), so nothing Douane sent is lost. */
export async function quarantine(db: Db, record: QuarantineRecord): Promise<number> {
  const row = await db.quarantinedBody.create({
    data: {
      api: record.api,
      channel: record.channel,
      pathParams: JSON.stringify(record.pathParams),
      reason: record.reason,
      detail: JSON.stringify(record.detail ?? null),
      messageId: record.messageId,
      rawBody: record.rawBody as Uint8Array<ArrayBuffer>,
      bodySha256: record.bodySha256,
      contentType: record.contentType,
      headers: JSON.stringify(record.headers),
      receivedAt: record.receivedAt,
      tokenId: record.tokenId,
    },
    select: { id: true },
  });
  return row.id;
}
