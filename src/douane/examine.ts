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

/** Reads `header.messageId`, the idempotency key, whatever the rest of the body looks like. */
export function readMessageId(body: unknown): string | null {
  const id = valueAt(body, ["header", "messageId"]);
  return typeof id === "string" && id.length > 0 && id.length <= 291 ? id : null;
}

// Where the H7 messages carry each key; also what we search in messages of unpublished channels (D4, D5).
const KEY_HOLDERS: string[][] = [["header"], ["declaration"], ["request"], ["declarationState"], ["declarations", "0"], []];

function extractKeys(body: Json, pathParams: Record<string, string>): MessageKeys {
  const find = (name: string): string | null => {
    for (const holder of KEY_HOLDERS) {
      const value = valueAt(body, [...holder, name]);
      if (typeof value === "string" && value !== "") return value.slice(0, 350);
    }
    return pathParams[name] || null;
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
