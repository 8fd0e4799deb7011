import type { Db, Tx } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { bodyToExamine, type Examination, examineMessage, isMessageId, readMessageId } from "../douane/examine";
import { type Channel, h7Channels, unknownChannel } from "../douane/h7/channels";
import { bodyText, parseJsonOrNull } from "../messages/queries";
import type { StoredRow } from "../messages/store-group";
import { storedColumnsOf } from "../messages/stored-body";
import { OPEN } from "./store";

/** Runs in the transaction that stores the accepted message (feed position, deliveries). */
export type AcceptHook = (tx: Tx, stored: StoredRow) => Promise<void>;

export interface Acceptance {
  quarantineId: number;
  /** Why a person decided to store this body anyway: kept on the message. */
  reason: string;
  /** Only for a body that has no header.messageId of its own. */
  messageId?: string;
  actor: string;
  now: Date;
}

export type AcceptOutcome =
  | { outcome: "accepted"; messageRowId: number }
  | { outcome: "not_found" }
  | { outcome: "already_accepted"; messageRowId: number | null }
  | { outcome: "already_dismissed"; dismissedBy: string | null; dismissedReason: string | null }
  | { outcome: "body_not_kept" }
  | { outcome: "message_id_required" }
  | { outcome: "message_id_invalid" }
  | { outcome: "message_id_mismatch"; bodyMessageId: string }
  | { outcome: "message_exists"; messageRowId: number; messageId: string };

/** What the intake requires of a messageId, for a person giving one. */
export const MESSAGE_ID_RULE =
  "1 to 291 characters, without U+0000 or a lone surrogate (the intake's rule for header.messageId)";

/** Stores a quarantined body as a message, accepted by hand, and marks the quarantine row: one transaction.
 *  The quarantine row is claimed with a conditional update, so two people accepting at once store it once;
 *  (api, messageId) stays unique by the database's constraint, so a conflicting body can never replace the
 *  message Douane sent first. */
export async function acceptQuarantined(db: Db, acceptance: Acceptance, onStored: AcceptHook): Promise<AcceptOutcome> {
  const row = await db.quarantinedBody.findUnique({ where: { id: acceptance.quarantineId } });
  if (!row) return { outcome: "not_found" };
  if (row.acceptedAt) return { outcome: "already_accepted", messageRowId: row.messageRowId };
  if (row.dismissedAt)
    return { outcome: "already_dismissed", dismissedBy: row.dismissedBy, dismissedReason: row.dismissedReason };
  if (row.reason === "too_large") return { outcome: "body_not_kept" };

  if (acceptance.messageId !== undefined && !isMessageId(acceptance.messageId))
    return { outcome: "message_id_invalid" };
  const bytes = Buffer.from(row.rawBody);
  const body = parseJsonOrNull(bytes);
  const bodyMessageId = isObject(body) ? readMessageId(body) : null;
  if (bodyMessageId && acceptance.messageId && acceptance.messageId !== bodyMessageId) {
    return { outcome: "message_id_mismatch", bodyMessageId };
  }
  const messageId = bodyMessageId ?? acceptance.messageId;
  if (!messageId) return { outcome: "message_id_required" };
  const pathParams: Record<string, string> = JSON.parse(row.pathParams);
  const channel = channelNamed(row.channel);
  const examination = examine(
    channel,
    isObject(body) ? bodyToExamine(channel, body, bodyText(bytes)) : body,
    pathParams,
  );

  try {
    return await db.$transaction(async (tx) => {
      const claimed = await tx.quarantinedBody.updateMany({
        where: { id: row.id, ...OPEN },
        data: { acceptedAt: acceptance.now, acceptedBy: acceptance.actor },
      });
      if (claimed.count === 0) return { outcome: "already_accepted", messageRowId: null } as const;
      const message = await tx.message.create({
        data: {
          ...examination.keys,
          api: row.api,
          channel: row.channel,
          messageId,
          pathParams: row.pathParams,
          ...storedColumnsOf(bytes),
          bodySha256: row.bodySha256,
          contentType: row.contentType,
          headers: row.headers,
          receivedAt: row.receivedAt,
          tokenId: row.tokenId,
          validation: examination.validation,
          findings: JSON.stringify(examination.findings),
          acceptedBy: acceptance.actor,
          acceptedReason: acceptance.reason,
          quarantineId: row.id,
          simulated: row.simulated,
          declarations: { create: examination.declarations },
        },
        select: { id: true, api: true, channel: true, customsDeclarationReference: true },
      });
      await onStored(tx, message);
      await tx.quarantinedBody.update({ where: { id: row.id }, data: { messageRowId: message.id } });
      return { outcome: "accepted", messageRowId: message.id } as const;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await db.message.findUniqueOrThrow({
      where: { api_messageId: { api: row.api, messageId } },
      select: { id: true },
    });
    return { outcome: "message_exists", messageRowId: existing.id, messageId };
  }
}

function channelNamed(name: string): Channel {
  return h7Channels.find((channel) => channel.name === name) ?? unknownChannel;
}

/** A body that is not a JSON object is still stored as it came, marked invalid, with the keys of its path. */
function examine(channel: Channel, body: unknown, pathParams: Record<string, string>): Examination {
  if (isObject(body)) return examineMessage(channel, body, pathParams);
  const { keys, declarations } = examineMessage(channel, {}, pathParams);
  return {
    valid: false,
    validation: channel.schema ? "invalid" : "unchecked",
    keys,
    declarations,
    findings: [{ path: "", message: "the body is not a JSON object", severity: "error" }],
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
