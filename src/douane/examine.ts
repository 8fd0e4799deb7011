import type { z } from "zod";
import { parseZonedDateTime } from "./datetime";
import type { Channel, KeyPlaces } from "./h7/channels";
import { parseExact } from "./numbers";
import { atMostCodePoints, firstCodePoints } from "./text";

export interface Finding {
  path: string;
  message: string;
  severity: "error" | "warning";
}

/** The values people search messages by, in Douane's own field names. lrn, mrn and customsDeclarationReference
 *  are those of the first declaration the message names; `declarations` has them all. */
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

/** One declaration a message names; `position` is its place among the candidates (declarations[position]). */
export interface NamedDeclaration {
  position: number;
  lrn: string | null;
  customsDeclarationReference: string | null;
  mrn: string | null;
}

/** valid or invalid against the channel's schema; unchecked on a path no channel knows (there is no schema). */
/** "unchecked": no published schema to check the body against (stored as it came, nothing claimed about it). */
export const validations = ["valid", "invalid", "unchecked"] as const;
export type ValidationLabel = (typeof validations)[number];

export interface Examination {
  /** No error finding: the message may be stored in either validation mode. */
  valid: boolean;
  validation: ValidationLabel;
  findings: Finding[];
  keys: MessageKeys;
  declarations: NamedDeclaration[];
}

type Json = Record<string, unknown>;

/** The body to examine: `parsed`, JSON.parse's reading of `text`, or for a channel that checks number texts, a
 *  lossless one (JSON.parse's again when lossless-json cannot read it: a repeated key, nesting too deep for it). */
export function bodyToExamine(channel: Channel, parsed: unknown, text: string): unknown {
  return channel.exactNumbers ? (parseExact(text, parsed) ?? parsed) : parsed;
}

/** Validates a parsed body against its channel's schema and extracts its keys. Pure. */
export function examineMessage(channel: Channel, body: Json, pathParams: Record<string, string>): Examination {
  const result = channel.schema?.safeParse(body);
  const findings: Finding[] = result && !result.success ? result.error.issues.map(toFinding) : [];
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
  const declarations = channel.keys
    ? declarationsAt(body, channel.keys.declarations, pathParams)
    : declarationsAnywhere(body, pathParams);
  return {
    valid: !result || result.success,
    validation: !result ? "unchecked" : result.success ? "valid" : "invalid",
    findings,
    keys: extractKeys(body, channel.keys, pathParams, declarations[0]),
    declarations,
  };
}

/** Reads `header.messageId`, the idempotency key, whatever the rest of the body looks like. An id with U+0000 or
 *  an unpaired surrogate (both valid JSON escapes) is no id: neither database can store it as it came (PostgreSQL
 *  refuses U+0000, Prisma refuses unpaired surrogates), and a key that changed on the way would not be one. */
export function readMessageId(body: unknown): string | null {
  return storableMessageId(valueAt(body, ["header", "messageId"]));
}

/** The intake's rule for an idempotency key, wherever one comes from (a body, or a person accepting a body). */
export function isMessageId(id: string): boolean {
  return storableMessageId(id) !== null;
}

/** A message id as the databases can keep it unchanged (1 to 291 characters), or null. */
export function storableMessageId(id: unknown): string | null {
  return typeof id === "string" && id.length > 0 && atMostCodePoints(id, 291) && !UNSTORABLE.test(id) ? id : null;
}

// U+0000, a high surrogate not followed by a low one, a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/** A search key as the databases can hold it: at most 350 characters, U+0000 and unpaired surrogates as U+FFFD
 *  (the raw body keeps the original). */
const storableKey = (value: string): string => firstCodePoints(value, 350).replace(UNSTORABLE_ALL, "\uFFFD");

/** A key: a non-empty string where the body has it, else the path parameter of that name. */
function keyOf(value: unknown, name: string, pathParams: Record<string, string>): string | null {
  if (typeof value === "string" && value !== "") return storableKey(value);
  return pathParams[name] ? storableKey(pathParams[name]) : null;
}

const DECLARATION_KEYS = ["lrn", "customsDeclarationReference", "mrn"] as const;

function declarationIn(holder: unknown, position: number, pathParams: Record<string, string>): NamedDeclaration | null {
  const [lrn, customsDeclarationReference, mrn] = DECLARATION_KEYS.map((name) =>
    keyOf(valueAt(holder, [name]), name, pathParams),
  );
  return lrn || customsDeclarationReference || mrn ? { position, lrn, customsDeclarationReference, mrn } : null;
}

function declarationsAt(
  body: Json,
  places: KeyPlaces["declarations"],
  pathParams: Record<string, string>,
): NamedDeclaration[] {
  const found = valueAt(body, places.at);
  const holders = places.each ? (Array.isArray(found) ? found : []) : [found];
  return holders.flatMap(
    (holder, position) => declarationIn(isObject(holder) ? holder : {}, position, pathParams) ?? [],
  );
}

// Where H7 messages carry keys, searched in order on a path no channel knows (D4, D5 are unpublished).
const KEY_HOLDERS: string[][] = [
  ["header"],
  ["declaration"],
  ["request"],
  ["declarationState"],
  ["declarations", "0"],
  [],
];

function findAnywhere(body: Json, name: string, pathParams: Record<string, string>): string | null {
  const holder = KEY_HOLDERS.find(
    (path) => typeof valueAt(body, [...path, name]) === "string" && valueAt(body, [...path, name]) !== "",
  );
  return keyOf(holder ? valueAt(body, [...holder, name]) : undefined, name, pathParams);
}

/** The unknown channel: the keys found anywhere, then every entry of a `declarations` array. */
function declarationsAnywhere(body: Json, pathParams: Record<string, string>): NamedDeclaration[] {
  const [lrn, customsDeclarationReference, mrn] = DECLARATION_KEYS.map((name) => findAnywhere(body, name, pathParams));
  const first =
    lrn || customsDeclarationReference || mrn ? [{ position: 0, lrn, customsDeclarationReference, mrn }] : [];
  const listed = valueAt(body, ["declarations"]);
  const rest = (Array.isArray(listed) ? listed : []).flatMap((holder, i) =>
    isObject(holder) ? (declarationIn(holder, i + 1, {}) ?? []) : [],
  );
  return [...first, ...rest];
}

function extractKeys(
  body: Json,
  places: KeyPlaces | null,
  pathParams: Record<string, string>,
  first?: NamedDeclaration,
): MessageKeys {
  const find = (
    name: "customsRequestReference" | "operatorRequestReference" | "state" | "messageDateTime",
  ): string | null => {
    if (!places) return findAnywhere(body, name, pathParams);
    const path = name === "messageDateTime" ? ["header", "messageDateTime"] : places[name];
    return keyOf(path ? valueAt(body, path) : undefined, name, pathParams);
  };
  const messageDateTimeRaw = find("messageDateTime");
  return {
    lrn: first?.lrn ?? null,
    mrn: first?.mrn ?? null,
    customsDeclarationReference: first?.customsDeclarationReference ?? null,
    customsRequestReference: find("customsRequestReference"),
    operatorRequestReference: find("operatorRequestReference"),
    state: find("state"),
    messageDateTime: messageDateTimeRaw ? (parseZonedDateTime(messageDateTimeRaw)?.instant ?? null) : null,
    messageDateTimeRaw,
  };
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

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
