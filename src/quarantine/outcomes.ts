import { errors, type HttpError } from "../http/error-catalog";
import { type AcceptOutcome, MESSAGE_ID_RULE } from "./accept";
import type { DismissOutcome } from "./store";

export type Refusal =
  | Exclude<AcceptOutcome, { outcome: "accepted" }>
  | Exclude<DismissOutcome, { outcome: "dismissed" }>;

/** Why a quarantined body was not accepted (or dismissed), as the catalog's answer: the internal API throws it, the
 *  CLI prints its message. `messageIdName` is how the caller names the messageId it may give (`messageId` in JSON,
 *  `--message-id`). */
export function explainRefusal(id: number, refusal: Refusal, messageIdName = "messageId"): HttpError {
  switch (refusal.outcome) {
    case "not_found":
      return errors.notFound({ what: "quarantined body", id });
    case "already_accepted":
      return errors.alreadyAccepted({ id, messageRowId: refusal.messageRowId });
    case "already_dismissed":
      return errors.alreadyDismissed({ id, by: refusal.dismissedBy, reason: refusal.dismissedReason });
    case "body_not_kept":
      return errors.bodyNotKept({ id });
    case "message_exists":
      return errors.messageExists(refusal);
    case "message_id_required":
      return invalidMessageId(
        `the body has no header.messageId: give one with ${messageIdName}`,
        "required: the body has no header.messageId",
      );
    case "message_id_invalid":
      return invalidMessageId(`${messageIdName} must be ${MESSAGE_ID_RULE}`, MESSAGE_ID_RULE);
    case "message_id_mismatch":
      return invalidMessageId(
        `the body's header.messageId is ${refusal.bodyMessageId}: leave ${messageIdName} out`,
        `the body's header.messageId is ${refusal.bodyMessageId}; leave messageId out`,
      );
  }
}

const invalidMessageId = (message: string, issue: string) =>
  errors.invalidBody({ message, issues: [{ path: "messageId", message: issue }] });
