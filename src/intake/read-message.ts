import type { ApiDefinition } from "../douane/apis";
import type { Reading } from "../douane/contract";
import type { IntakeRefusalCode } from "../http/error-catalog";
import { bodySha256Of } from "../messages/body-hash";
import { type StoredBody, storedBodyOf } from "../messages/stored-body";
import { parseJson } from "./json-body";

/** What the intake knows of a body before reading it: where it came and what it claims to be. */
export interface ArrivedBody {
  channel: string;
  pathParams: Record<string, string>;
  rawBody: Buffer;
  contentType: string;
  /** Without credentials: a body may be read on another thread, and no token needs to go there. */
  headers: Record<string, string | string[]>;
}

/** Without a message, the catalog's for its reason. */
export type Refusal = { reason: IntakeRefusalCode; message?: string; detail?: Record<string, unknown> };
type Checked =
  | { messageId: string | null; refusal: Refusal }
  // `stored`: what the message's row will hold, compressed here for a large body (read off the event loop).
  | { messageId: string; refusal: null; examination: Reading; stored: StoredBody };

export interface ReadMessage {
  bodySha256: string;
  checked: Checked;
}

/** The body's hash, its encoding, type, JSON and messageId checked, the message examined under its API's
 *  contract, and the bytes its row will hold. Pure, so it runs where it is cheapest: on the event loop for a small
 *  body, on a worker thread for a large one (message-reader.ts). */
export function readMessage(api: ApiDefinition, arrived: ArrivedBody): ReadMessage {
  const bodySha256 = bodySha256Of(arrived.rawBody);
  return { bodySha256, checked: check(api, arrived, bodySha256) };
}

function check(api: ApiDefinition, arrived: ArrivedBody, bodySha256: string): Checked {
  const json = parseJson(arrived.rawBody);
  const identified = json.ok ? identify(api, json.value, arrived.headers, bodySha256) : null;
  const messageId = identified?.messageId ?? null;
  const encoding = String(arrived.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  // Douane sends plain JSON. A compressed body is kept as it came, never decoded into something else.
  if (encoding !== "identity" && encoding !== "") {
    return { messageId, refusal: { reason: "unsupported_content_encoding" } };
  }
  if (!isJsonContentType(arrived.contentType)) {
    return { messageId, refusal: { reason: "unsupported_content_type" } };
  }
  if (!json.ok) return { messageId, refusal: { reason: json.reason, message: json.message, detail: json.detail } };
  if (messageId === null) return { messageId, refusal: { reason: "missing_message_id" } };
  const examination = api.contract.examine(
    arrived.channel,
    isObject(json.value) ? json.value : {},
    arrived.pathParams,
    json.text,
  );
  if (identified?.byBodyHash) examination.findings.push(bodyHashFinding);
  return { messageId, refusal: null, examination, stored: storedBodyOf(arrived.rawBody) };
}

const bodyHashFinding = {
  path: "",
  message: "no message id found where this API's message id is read: the body's SHA-256 is its idempotency key",
  severity: "warning" as const,
};

/** The message id the API's contract reads, or for an API keyed by body hash, `sha256:<hex>` (a byte-identical
 *  retry is then a duplicate; a message id found later never collides with it). */
function identify(
  api: ApiDefinition,
  body: unknown,
  headers: ArrivedBody["headers"],
  bodySha256: string,
): { messageId: string | null; byBodyHash: boolean } {
  const messageId = api.contract.messageIdOf(body, headers);
  if (messageId !== null || api.contract.withoutMessageId === "refuse") return { messageId, byBodyHash: false };
  return { messageId: `sha256:${bodySha256}`, byBodyHash: true };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** `application/json`, with an optional charset that must then be UTF-8. */
function isJsonContentType(contentType: string): boolean {
  const [type, ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return false;
  return parameters.every((parameter) => !parameter.startsWith("charset=") || /^charset="?utf-?8"?$/.test(parameter));
}
