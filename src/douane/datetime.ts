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
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const offsetSeconds = parseOffset(offset);
  if (offsetSeconds === null) return null;
  const millis = fraction === "" ? 0 : Number(fraction.padEnd(3, "0").slice(0, 3));
  const local = daysSinceEpoch(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + millis;
  const instant = local - offsetSeconds * 1000;
  // Both databases hold years 0001–9999 and ISO 8601 writes four digits: an offset can carry a date that
  // reads well past either end (9999-12-31T23:59:59-18:00 is year 10000 in UTC).
  if (instant < FIRST_INSTANT || instant >= PAST_LAST_INSTANT) return null;
  return { instant: new Date(instant), offset, ...(zoneId ? { zoneId } : {}) };
}

const DAY_MS = 86_400_000;

function parseOffset(offset: string): number | null {
  if (offset === "Z") return 0;
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(4, 6));
  const seconds = offset.length > 6 ? Number(offset.slice(7, 9)) : 0;
  if (hours > 18 || minutes > 59 || seconds > 59) return null;
  const total = hours * 3600 + minutes * 60 + seconds;
  return offset.startsWith("-") ? -total : total;
}

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil): plain
 *  arithmetic, where Date objects cost several microseconds per date-time, read two or three times a message. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const FIRST_INSTANT = daysSinceEpoch(1, 1, 1) * DAY_MS;
const PAST_LAST_INSTANT = daysSinceEpoch(10_000, 1, 1) * DAY_MS;
