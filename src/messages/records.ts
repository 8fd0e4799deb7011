import type { MessageKeys, NamedDeclaration, ValidationLabel } from "../douane/examine";
import type { IntakeRefusalCode } from "../http/error-catalog";
import type { RawBodyCompression } from "./stored-body";

/** What we know of one received body before it is stored, whether as a message or in quarantine. */
export interface Envelope {
  api: string;
  channel: string;
  pathParams: Record<string, string>;
  rawBody: Buffer;
  bodySha256: string;
  contentType: string;
  headers: Record<string, string | string[]>;
  receivedAt: Date;
  tokenId: number | null;
  /** The simulator said so (X-Simulated: true): certification traffic, purged on its own. */
  simulated: boolean;
}

export interface MessageRecord extends Envelope, MessageKeys {
  messageId: string;
  /** The bytes the row's rawBody holds: the body itself, or a large body compressed (stored-body.ts). */
  storedBody: Buffer;
  rawBodyCompression: RawBodyCompression;
  validation: ValidationLabel;
  /** Every declaration the message names, stored beside it (MessageDeclaration). */
  declarations: NamedDeclaration[];
  findings: { path: string; message: string; severity: string }[];
}

/** Why a body is kept in quarantine: an intake refusal, answered with the same code (the error catalog's
 *  intakeRefusals), or one never answered as an error: too large (answered payload_too_large), a conflict (200). */
export const quarantineReasons = [
  "unsupported_content_type",
  "unsupported_content_encoding",
  "too_large",
  "invalid_utf8",
  "invalid_json",
  "missing_message_id",
  "invalid_schema",
  "conflict",
  "unstorable",
] as const satisfies readonly (IntakeRefusalCode | "too_large" | "conflict")[];

export type QuarantineReason = (typeof quarantineReasons)[number];

export interface QuarantineRecord extends Envelope {
  reason: QuarantineReason;
  detail: unknown;
  messageId: string | null;
}
