import { isLosslessNumber, LosslessNumber, parse, stringify } from "lossless-json";

/**
 * JSON numbers as Douane wrote them. JSON.parse turns every number into a double, so 9999999999999999 (16 digits,
 * an amount the published pattern allows) becomes 1e16 and 12.50 becomes 12.5: a pattern checked on String(value)
 * checks our rounding, not Douane's text. lossless-json keeps each number's text (a LosslessNumber).
 */

/** The body with every number as a LosslessNumber; null when lossless-json cannot read what JSON.parse did
 *  (a key repeated with another value, or nesting deeper than its recursion allows). Given `parsed`, JSON.parse's
 *  reading of `text`, it is made from that reading when nothing was lost in it, without reading the text again. */
export function parseExact(text: string, parsed?: unknown): unknown {
  const copied = parsed === undefined ? null : copyIfNothingLost(text, parsed);
  if (copied !== null) return copied.value;
  try {
    return parse(text);
  } catch {
    return null;
  }
}

/** Whether JSON.parse reads a JSON number back as the same text (12.5, 0, 42; not 12.50, 1E2, -0, 9999999999999999):
 *  its double then says what the text says. */
const readsBackAsWritten = (token: string): boolean => String(Number(token)) === token;

// In JSON text a '"' opens or closes a string, and outside strings only numbers have a digit or '-': in valid
// JSON text the matches are exactly its strings (a member name when ':' follows) and its numbers.
const STRING_OR_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|-?[0-9][0-9.eE+-]*/g;

/** parse(text) made from JSON.parse's reading, when that reading kept every member the text names (none dropped
 *  for a repeated name) and every number's digits: each number becomes a LosslessNumber of its shortest spelling,
 *  which is then its text. Null otherwise. */
function copyIfNothingLost(text: string, parsed: unknown): { value: unknown } | null {
  let memberNames = 0;
  STRING_OR_NUMBER.lastIndex = 0;
  for (let token = STRING_OR_NUMBER.exec(text); token !== null; token = STRING_OR_NUMBER.exec(text)) {
    if (token[1] !== undefined) memberNames++;
    else if (token[0][0] !== '"' && !readsBackAsWritten(token[0])) return null;
  }
  const copy = withLosslessNumbers(parsed);
  return copy !== null && copy.members === memberNames ? { value: copy.value } : null;
}

// lossless-json reads a few thousand levels before its recursion runs out of stack; real bodies nest fewer than 10.
const MAX_DEPTH = 500;
const TOO_DEEP = new Error("nested deeper than lossless-json is sure to read");

/** A copy of a JSON.parse value with its numbers as LosslessNumbers, and how many object members it holds. */
function withLosslessNumbers(parsed: unknown): { value: unknown; members: number } | null {
  let members = 0;
  const copy = (value: unknown, depth: number): unknown => {
    if (typeof value === "number") return new LosslessNumber(String(value));
    if (typeof value !== "object" || value === null) return value;
    if (depth > MAX_DEPTH) throw TOO_DEEP;
    if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1));
    const object: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      members++;
      const item = copy((value as Record<string, unknown>)[key], depth + 1);
      // As JSON.parse and lossless-json do: assigning __proto__ would set the prototype instead of a member.
      if (key === "__proto__")
        Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
      else object[key] = item;
    }
    return object;
  };
  try {
    return { value: copy(parsed, 0), members };
  } catch (error) {
    if (error === TOO_DEEP) return null;
    throw error;
  }
}

/** JSON text of a value from parseExact: every number leaves with the digits it came with. */
export function stringifyExact(value: unknown, indent?: number): string {
  return stringify(value, undefined, indent) ?? "null";
}

/** A number's text: a LosslessNumber's own, a double's shortest form; null for anything that is not a number. */
export function numberText(value: unknown): string | null {
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

const NUMBER = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/** The plain decimal spelling of a JSON number, exactly (no float): "1E2" → "100", "5.000" → "5",
 *  "1.5e-1" → "0.15". Null when it is not a JSON number or its exponent would spell more than `maxDigits`. */
export function plainDecimal(text: string, maxDigits = 64): string | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const all = whole + fraction;
  const leadingZeros = all.length - all.replace(/^0+/, "").length;
  const digits = all.slice(leadingZeros).replace(/0+$/, "");
  if (digits === "") return "0";
  const point = whole.length + Number(exponent) - leadingZeros; // how many of `digits` come before the point
  if (Math.abs(point) > maxDigits) return null;
  const integer = point <= 0 ? "0" : digits.slice(0, point).padEnd(point, "0");
  const decimals = point >= digits.length ? "" : point < 0 ? "0".repeat(-point) + digits : digits.slice(point);
  return `${sign}${integer}${decimals ? `.${decimals}` : ""}`;
}
