import { type AcceptOutcome, MESSAGE_ID_RULE } from "./accept";
import type { DismissOutcome } from "./store";

export type Refusal =
  | Exclude<AcceptOutcome, { outcome: "accepted" }>
  | Exclude<DismissOutcome, { outcome: "dismissed" }>;

export interface Explanation {
  status: number;
  /** The answer's stable `error` code. */
  code: string;
  message: string;
  extra?: Record<string, unknown>;
}

/** Why a quarantined body was not accepted (or dismissed): one table for the internal API's answer and the CLI's message.
 *  `messageIdName` is how the caller names the messageId it may give (`messageId` in JSON, `--message-id`). */
export function explainRefusal(id: number, refusal: Refusal, messageIdName = "messageId"): Explanation {
  switch (refusal.outcome) {
    case "not_found":
      return { status: 404, code: "not_found", message: `no quarantined body with id ${id}` };
    case "already_accepted":
      return {
        status: 409,
        code: "already_accepted",
        message: `quarantined body ${id} was already accepted${refusal.messageRowId ? ` (message ${refusal.messageRowId})` : ""}`,
        extra: { messageRowId: refusal.messageRowId },
      };
    case "already_dismissed":
      return {
        status: 409,
        code: "already_dismissed",
        message: `quarantined body ${id} was already dismissed by ${refusal.dismissedBy ?? "someone"}: ${refusal.dismissedReason ?? "no reason given"}`,
        extra: { dismissedBy: refusal.dismissedBy, dismissedReason: refusal.dismissedReason },
      };
    case "body_not_kept":
      return {
        status: 409,
        code: "body_not_kept",
        message: `quarantined body ${id} was too large to be kept: there is nothing to store`,
      };
    case "message_exists":
      return {
        status: 409,
        code: "message_exists",
        message: `message ${refusal.messageRowId} already has messageId ${refusal.messageId}: the message Douane sent first is never replaced`,
        extra: { messageRowId: refusal.messageRowId },
      };
    case "message_id_required":
      return {
        status: 400,
        code: "invalid_body",
        message: `the body has no header.messageId: give one with ${messageIdName}`,
        extra: { issues: [{ path: "messageId", message: "required: the body has no header.messageId" }] },
      };
    case "message_id_invalid":
      return {
        status: 400,
        code: "invalid_body",
        message: `${messageIdName} must be ${MESSAGE_ID_RULE}`,
        extra: { issues: [{ path: "messageId", message: MESSAGE_ID_RULE }] },
      };
    case "message_id_mismatch":
      return {
        status: 400,
        code: "invalid_body",
        message: `the body's header.messageId is ${refusal.bodyMessageId}: leave ${messageIdName} out`,
        extra: {
          issues: [
            {
              path: "messageId",
              message: `the body's header.messageId is ${refusal.bodyMessageId}; leave messageId out`,
            },
          ],
        },
      };
  }
}
