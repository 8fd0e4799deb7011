import type { Random } from "./random";

/** The identifiers and values of H7 messages, in the formats of ../shared/douane/H7-CALLBACKS.md. Pure. */

const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const UPPER_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** "UUID + timestamp in seconds": a 36-character UUID (v4 layout) then a 10-digit epoch, no separator. */
export function messageIdOf(random: Random, at: Date): string {
  const uuid = [8, 4, 4, 4, 12].map((length) => random.chars(HEX, length));
  uuid[2] = `4${uuid[2].slice(1)}`;
  uuid[3] = `${random.pick(["8", "9", "a", "b"])}${uuid[3].slice(1)}`;
  return `${uuid.join("-")}${String(Math.floor(at.getTime() / 1000)).padStart(10, "0")}`;
}

/** The operator's own reference of a declaration (≤ 22), like the spec's `LRN2021000001`. */
export const lrnOf = (random: Random, at: Date) => `LRN${at.getUTCFullYear()}${random.chars(DIGITS, 6)}`;

/** Douane's registration number of a declaration (≤ 22), 12 digits like the spec's `228231995374`. */
export const customsDeclarationReferenceOf = (random: Random) => `2${random.chars(DIGITS, 11)}`;

/** Douane's reference of a request (≤ 22). */
export const customsRequestReferenceOf = (random: Random) => `3${random.chars(DIGITS, 11)}`;

/** The operator's reference of a request (≤ 35). */
export const operatorRequestReferenceOf = (random: Random, at: Date) =>
  `OP-${at.toISOString().slice(0, 10).replaceAll("-", "")}-${random.chars(DIGITS, 6)}`;

/**
 * An 18-character MRN as the Union Customs Code lays it out: year (2), country (FR), a 12-character serial,
 * the procedure letter, and the ISO 6346 check digit (the spec's `19FR091000000064A2` satisfies it).
 */
export function mrnOf(random: Random, at: Date): string {
  const body = `${String(at.getUTCFullYear() % 100).padStart(2, "0")}FR${random.chars(UPPER_ALNUM, 4)}${random.chars(DIGITS, 8)}${random.pick(["A", "B"])}`;
  return `${body}${mrnCheckDigit(body)}`;
}

export function mrnCheckDigit(first17: string): number {
  let sum = 0;
  for (let i = 0; i < first17.length; i++) sum += charValue(first17[i]) * 2 ** i;
  return (sum % 11) % 10;
}

/** ISO 6346: digits as they are; A = 10 onwards, skipping multiples of 11. */
function charValue(char: string): number {
  if (char >= "0" && char <= "9") return Number(char);
  let value = 10;
  for (let code = 65; code < char.charCodeAt(0); code++) {
    value++;
    if (value % 11 === 0) value++;
  }
  return value;
}

/**
 * Java's ZonedDateTime text in Europe/Paris, as Douane writes it: `2024-03-01T10:15:00+01:00[Europe/Paris]`.
 * Seconds always written and no fraction, to match the published pattern exactly. The offset follows the EU
 * summer-time rule (last Sunday of March to last Sunday of October, at 01:00 UTC).
 */
export function javaDateTimeOf(at: Date): string {
  const offsetHours = isEuSummerTime(at) ? 2 : 1;
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + offsetHours * 3_600_000);
  return `${local.toISOString().slice(0, 19)}+0${offsetHours}:00[Europe/Paris]`;
}

function isEuSummerTime(at: Date): boolean {
  const year = at.getUTCFullYear();
  const lastSundayAt1Utc = (month: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0, 1));
    return last.getTime() - last.getUTCDay() * 86_400_000;
  };
  return at.getTime() >= lastSundayAt1Utc(2) && at.getTime() < lastSundayAt1Utc(9);
}

/** An amount in the published pattern (≤ 14 digits and 2 decimals): whole cents, as a JSON number. */
export const amountOf = (random: Random, maxEuros: number) => random.int(0, maxEuros * 100) / 100;

/** An amount rounded to the euro, as D1's general taxation gives them. */
export const euroAmountOf = (random: Random, maxEuros: number) => random.int(0, maxEuros);
