import { isUtf8 } from "node:buffer";

export type ParsedJson =
  | { ok: true; value: unknown; text: string }
  | { ok: false; reason: "invalid_utf8" | "invalid_json"; message: string; detail?: Record<string, unknown> };

/** A body as JSON text: UTF-8, an optional byte order mark, and no object naming a member twice. */
export function parseJson(bytes: Buffer): ParsedJson {
  if (!isUtf8(bytes)) return { ok: false, reason: "invalid_utf8", message: "the body is not valid UTF-8" };
  // A byte order mark is allowed before JSON text (RFC 8259 §8.1) and is not part of it.
  const text = bytes.toString("utf8", hasBom(bytes) ? 3 : 0);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: "invalid_json", message: `the body is not valid JSON: ${(error as Error).message}` };
  }
  const repeated = repeatedMember(text);
  if (repeated === null) return { ok: true, value, text };
  // Readers disagree on which of two "messageId" wins: the body is ambiguous, so refused (I-JSON, RFC 7493 §2.3).
  const path = [...repeated.path, repeated.member].join(".");
  return {
    ok: false,
    reason: "invalid_json",
    message: `the body names the member ${JSON.stringify(path)} twice`,
    detail: { member: repeated.member, path },
  };
}

const hasBom = (bytes: Buffer) => bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

type Frame = { names: Set<string>; key: string; expectingKey: boolean } | { index: number };

/** The first member name repeated within one object of `text`, valid JSON text, with the path to that object.
 *  One pass without recursion, so it costs what JSON.parse costs, however deep the nesting. */
function repeatedMember(text: string): { member: string; path: string[] } | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = stack[stack.length - 1];
    if (char === '"') {
      const end = closingQuote(text, i);
      if (top && "names" in top && top.expectingKey) {
        const literal = text.slice(i, end + 1);
        const name = literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
        if (top.names.has(name)) return { member: name, path: stack.slice(0, -1).map(step) };
        top.names.add(name);
        top.key = name;
        top.expectingKey = false;
      }
      i = end;
    } else if (char === "{") stack.push({ names: new Set(), key: "", expectingKey: true });
    else if (char === "[") stack.push({ index: 0 });
    else if (char === "}" || char === "]") stack.pop();
    else if (char === "," && top) {
      if ("names" in top) top.expectingKey = true;
      else top.index += 1;
    }
  }
  return null;
}

const step = (frame: Frame): string => ("names" in frame ? frame.key : String(frame.index));

function closingQuote(text: string, opening: number): number {
  let at = text.indexOf('"', opening + 1);
  while (isEscaped(text, at)) at = text.indexOf('"', at + 1);
  return at;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; text[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}
