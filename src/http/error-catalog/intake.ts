import { answer, entriesOf } from "./http-error";

/** A callback's body refused after authentication: answered with its code, and kept in quarantine under the same
 *  code as its reason (messages/records.ts's quarantineReasons holds these and the reasons never answered). */
export const intakeRefusals = entriesOf({
  unsupported_content_encoding: [415, "the body must not be content-encoded (Content-Encoding: identity)"],
  unsupported_content_type: [415, "the body must be application/json (UTF-8)"],
  invalid_utf8: [400, "the body is not valid UTF-8"],
  invalid_json: [400, "the body is not valid JSON"],
  missing_message_id: [400, "header.messageId is required (a string of 1 to 291 characters)"],
  invalid_schema: [400, "the body does not match the message schema"],
  unstorable: [400, "the database refused to store this message as it is"],
});
export type IntakeRefusalCode = keyof typeof intakeRefusals;

export const intakeAnswers = {
  /** `extra` carries the refusal's detail (issues, database error) and the quarantine row's id. */
  intakeRefused: ({ reason, message, extra }: { reason: IntakeRefusalCode; message: string; extra: object }) =>
    answer(intakeRefusals[reason], { message, extra: { ...extra } }),
};
