import { Webhook } from "standardwebhooks";
import { type DriverSql, placeholders, type SqlQuery } from "../db/driver";
import { parseJsonOrNull } from "../messages/queries";
import { bodyOf } from "../messages/stored-body";

/** The body comes as hex text: both driver adapters hand a blob over as an array of numbers, one per byte
 *  (a 600 KB Error_H7 became 600,000 numbers copied from the SQLite thread and turned back into a Buffer). */
const eventColumns = (provider: DriverSql["provider"]) => `"id", "api", "channel", "messageId", "receivedAt",
  "lrn", "mrn", "customsDeclarationReference", "customsRequestReference", "operatorRequestReference", "state",
  "messageDateTime", "validation", "rawBodyCompression", ${provider === "postgresql" ? `encode("rawBody", 'hex')` : `hex("rawBody")`} AS "bodyHex"`;

/** The Standard Webhooks event of each stored message: `{type, timestamp, data}`, type like h7.declaration_response.
 *  The feed serves the same events. */
export async function eventsOf(
  sql: SqlQuery,
  provider: DriverSql["provider"],
  messageRowIds: number[],
): Promise<Map<number, Record<string, unknown>>> {
  if (messageRowIds.length === 0) return new Map();
  const rows = await sql.query(
    `SELECT ${eventColumns(provider)} FROM "Message" WHERE "id" IN (${placeholders(messageRowIds)})`,
    messageRowIds,
  );
  return new Map(
    rows.map((row) => {
      const id = Number(row.id);
      const receivedAt = dateOf(row.receivedAt)!.toISOString();
      const event = {
        type: `${row.api}.${row.channel}`,
        timestamp: receivedAt,
        data: {
          id,
          api: row.api,
          channel: row.channel,
          messageId: row.messageId,
          receivedAt,
          keys: {
            lrn: row.lrn,
            mrn: row.mrn,
            customsDeclarationReference: row.customsDeclarationReference,
            customsRequestReference: row.customsRequestReference,
            operatorRequestReference: row.operatorRequestReference,
            state: row.state,
            messageDateTime: dateOf(row.messageDateTime)?.toISOString() ?? null,
          },
          declarations: row.customsDeclarationReference ? [row.customsDeclarationReference] : [],
          validation: row.validation,
          payload: parseJsonOrNull(
            bodyOf({
              rawBody: Buffer.from(String(row.bodyHex), "hex"),
              rawBodyCompression: row.rawBodyCompression as string | null,
            }),
          ),
        },
      };
      return [id, event];
    }),
  );
}

/** Both adapters answer a DateTime column of a raw query as ISO text ("…+00:00"). */
const dateOf = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

export async function eventBodies(
  sql: SqlQuery,
  provider: DriverSql["provider"],
  messageRowIds: number[],
): Promise<Map<number, string>> {
  const events = await eventsOf(sql, provider, messageRowIds);
  return new Map([...events].map(([id, event]) => [id, JSON.stringify(event)]));
}

/** The Standard Webhooks headers of one attempt. `webhook-id` is the delivery's, the same on every retry, so a
 *  receiver can drop a repeat; each secret in force adds a signature (two during a rotation). Signed by the
 *  `standardwebhooks` package, as issue 13 asks (its HMAC is JavaScript: ~5 ms for a 600 KB body, 1 % of them). */
export function signedHeaders(deliveryId: number, secrets: string[], body: string, at: Date): Record<string, string> {
  const id = `dlv_${deliveryId}`;
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(" "),
  };
}
