import { isLosslessNumber, parse, stringify } from "lossless-json";

/**
 * JSON numbers as Douane wrote them. JSON.parse turns every number into a double, so 9999999999999999 (16 digits,
 * an amount the published pattern allows) becomes 1e16 and 12.50 becomes 12.5: a pattern checked on String(value)
 * checks our rounding, not Douane's text. lossless-json keeps each number's text (a LosslessNumber).
 */

/** The body with every number as a LosslessNumber; null when lossless-json cannot read what JSON.parse did
 *  (a key repeated with another value, or nesting deeper than its recursion allows). */
export function parseExact(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return null;
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
