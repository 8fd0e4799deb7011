import type { z } from "zod";
import type { Channel } from "./h7/channels";
import { parseZonedDateTime } from "./datetime";

export interface Finding {
  path: string;
  message: string;
  severity: "error" | "warning";
}

/** The values people search messages by, in Douane's own field names. */
export interface MessageKeys {
  lrn: string | null;
  mrn: string | null;
  customsDeclarationReference: string | null;
  customsRequestReference: string | null;
  operatorRequestReference: string | null;
  state: string | null;
  messageDateTime: Date | null;
  messageDateTimeRaw: string | null;
}

export interface Examination {
  valid: boolean;
  findings: Finding[];
  keys: MessageKeys;
}

type Json = Record<string, unknown>;

/** Validates a parsed body against its channel's schema and extracts its keys. Pure. */
export function examineMessage(channel: Channel, body: Json, pathParams: Record<string, string>): Examination {
  const result = channel.schema.safeParse(body);
  const findings: Finding[] = result.success ? [] : result.error.issues.map(toFinding);
  for (const [param, bodyPath] of Object.entries(channel.repeatedInBody)) {
    const inBody = valueAt(body, bodyPath);
    if (typeof inBody === "string" && inBody !== pathParams[param]) {
      findings.push({
        path: bodyPath.join("."),
        message: `differs from the path parameter ${param} (${JSON.stringify(pathParams[param])})`,
        severity: "warning",
      });
    }
  }
  return { valid: result.success, findings, keys: extractKeys(body, pathParams) };
}

/** Reads `header.messageId`, the idempotency key, whatever the rest of the body looks like. An id with U+0000 or
 *  an unpaired surrogate (both valid JSON escapes) is no id: neither database can store it as it came (PostgreSQL
 *  refuses U+0000, Prisma refuses unpaired surrogates), and a key that changed on the way would not be one. */
export function readMessageId(body: unknown): string | null {
  const id = valueAt(body, ["header", "messageId"]);
  return typeof id === "string" && isMessageId(id) ? id : null;
}

/** The intake's rule for an idempotency key, wherever one comes from (a body, or a person accepting a body). */
export function isMessageId(id: string): boolean {
  return id.length > 0 && id.length <= 291 && !UNSTORABLE.test(id);
}

// U+0000, a high surrogate not followed by a low one, a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/** A search key as the databases can hold it: U+0000 and unpaired surrogates become U+FFFD (the raw body keeps
 *  the original), after cutting to 350 characters, which may itself split a surrogate pair. */
const storableKey = (value: string): string => value.slice(0, 350).replace(UNSTORABLE_ALL, "\uFFFD");

// Where the H7 messages carry each key; also what we search in messages of unpublished channels (D4, D5).
const KEY_HOLDERS: string[][] = [["header"], ["declaration"], ["request"], ["declarationState"], ["declarations", "0"], []];

function extractKeys(body: Json, pathParams: Record<string, string>): MessageKeys {
  const find = (name: string): string | null => {
    for (const holder of KEY_HOLDERS) {
      const value = valueAt(body, [...holder, name]);
      if (typeof value === "string" && value !== "") return storableKey(value);
    }
    return pathParams[name] ? storableKey(pathParams[name]) : null;
  };
  const messageDateTimeRaw = find("messageDateTime");
  return {
    lrn: find("lrn"),
    mrn: find("mrn"),
    customsDeclarationReference: find("customsDeclarationReference"),
    customsRequestReference: find("customsRequestReference"),
    operatorRequestReference: find("operatorRequestReference"),
    state: find("state"),
    messageDateTime: messageDateTimeRaw ? (parseZonedDateTime(messageDateTimeRaw)?.instant ?? null) : null,
    messageDateTimeRaw,
  };
}

function valueAt(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Json)[key];
  }
  return current;
}

function toFinding(issue: z.core.$ZodIssue): Finding {
  return { path: issue.path.map(String).join("."), message: issue.message, severity: "error" };
}
