import { Webhook } from "standardwebhooks";
import type { Db } from "../db/client";
import { parseJsonOrNull } from "../messages/queries";

/** The Standard Webhooks event of each stored message: `{type, timestamp, data}`, type like h7.declaration_response.
 *  The feed serves the same events. */
export async function eventsOf(db: Db, messageRowIds: number[]): Promise<Map<number, Record<string, unknown>>> {
  const rows = await db.message.findMany({ where: { id: { in: messageRowIds } } });
  return new Map(
    rows.map((row) => [
      row.id,
      {
        type: `${row.api}.${row.channel}`,
        timestamp: row.receivedAt.toISOString(),
        data: {
          id: row.id,
          api: row.api,
          channel: row.channel,
          messageId: row.messageId,
          receivedAt: row.receivedAt.toISOString(),
          keys: {
            lrn: row.lrn,
            mrn: row.mrn,
            customsDeclarationReference: row.customsDeclarationReference,
            customsRequestReference: row.customsRequestReference,
            operatorRequestReference: row.operatorRequestReference,
            state: row.state,
            messageDateTime: row.messageDateTime?.toISOString() ?? null,
          },
          declarations: row.customsDeclarationReference ? [row.customsDeclarationReference] : [],
          validation: row.validation,
          payload: parseJsonOrNull(Buffer.from(row.rawBody)),
        },
      },
    ]),
  );
}

export async function eventBodies(db: Db, messageRowIds: number[]): Promise<Map<number, string>> {
  const events = await eventsOf(db, messageRowIds);
  return new Map([...events].map(([id, event]) => [id, JSON.stringify(event)]));
}

/** The Standard Webhooks headers of one attempt. `webhook-id` is the delivery's, the same on every retry, so a
 *  receiver can drop a repeat; each secret in force adds a signature (two during a rotation). */
export function signedHeaders(deliveryId: number, secrets: string[], body: string, at: Date): Record<string, string> {
  const id = `dlv_${deliveryId}`;
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(" "),
  };
}
