/**
 * Douane's date-times are Java ZonedDateTime text: `2014-04-12T03:30:30-05:00[US/Central]`.
 * A strict RFC 3339 parser rejects the trailing zone id, and Java omits zero seconds (`…T03:30-05:00[…]`),
 * so we parse the offset date-time ourselves and keep the raw text beside the instant. The published pattern
 * ends in `.+` after the offset: whatever follows it is allowed, and read as a zone id when it is `[Zone/Id]`.
 */
const ZONED_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)(?:\[([^\]]+)\]|.*)$/;

export interface ZonedDateTime {
  instant: Date;
  offset: string;
  zoneId?: string;
}

export function parseZonedDateTime(text: string): ZonedDateTime | null {
  const match = ZONED_DATE_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = "0", fraction = "", offset, zoneId] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const offsetSeconds = parseOffset(offset);
  if (offsetSeconds === null) return null;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  local.setUTCHours(h, mi, s, millis);
  const instant = new Date(local.getTime() - offsetSeconds * 1000);
  // Both databases hold years 0001–9999 and ISO 8601 writes four digits: an offset can carry a date that
  // reads well past either end (9999-12-31T23:59:59-18:00 is year 10000 in UTC).
  if (instant.getUTCFullYear() < 1 || instant.getUTCFullYear() > 9999) return null;
  return { instant, offset, ...(zoneId ? { zoneId } : {}) };
}

function parseOffset(offset: string): number | null {
  if (offset === "Z") return 0;
  const [hours, minutes, seconds = "0"] = offset.slice(1).split(":");
  if (Number(hours) > 18 || Number(minutes) > 59 || Number(seconds) > 59) return null;
  const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  return offset.startsWith("-") ? -total : total;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
