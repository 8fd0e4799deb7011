import fc from "fast-check";
import { parseZonedDateTime } from "../../src/douane/datetime";

describe("Douane's Java-style date-times", () => {
  test.each([
    ["2014-04-12T03:30:30-05:00[US/Central]", "2014-04-12T08:30:30.000Z", "US/Central"],
    ["2021-03-01T10:15:00+01:00[Europe/Paris]", "2021-03-01T09:15:00.000Z", "Europe/Paris"],
    ["2021-07-01T10:15:00+02:00[Europe/Paris]", "2021-07-01T08:15:00.000Z", "Europe/Paris"],
    ["2020-12-31T23:59:59+05:30[Asia/Kolkata]", "2020-12-31T18:29:59.000Z", "Asia/Kolkata"],
    ["2020-06-12T05:36:30Z[UTC]", "2020-06-12T05:36:30.000Z", "UTC"],
    ["2020-06-12T05:36:30.123456789+00:00[Etc/UTC]", "2020-06-12T05:36:30.123Z", "Etc/UTC"],
  ])("%s is the instant %s in zone %s", (text, instant, zoneId) => {
    expect(parseZonedDateTime(text)).toEqual({ instant: new Date(instant), offset: expect.any(String), zoneId });
  });

  test("an offset date-time without a zone id is read as well", () => {
    expect(parseZonedDateTime("2020-06-12T05:36:30-05:00")?.instant).toEqual(new Date("2020-06-12T10:36:30Z"));
  });

  test("whatever follows the offset is allowed, as the published pattern ends in .+; only [Zone/Id] is read as a zone", () => {
    expect(parseZonedDateTime("2014-04-12T03:30:30-05:00[US/Central")).toEqual({
      instant: new Date("2014-04-12T08:30:30Z"),
      offset: "-05:00",
    });
    expect(parseZonedDateTime("2014-04-12T03:30:30-05:00 CDT")?.instant).toEqual(new Date("2014-04-12T08:30:30Z"));
  });

  test("Java's form without seconds, printed when they are zero, is read as well", () => {
    expect(parseZonedDateTime("2014-04-12T03:30-05:00[US/Central]")?.instant).toEqual(new Date("2014-04-12T08:30:00Z"));
  });

  test.each([
    "2014-04-12 03:30:30-05:00",
    "2014-04-12T03:30:30",
    "2014-02-30T03:30:30Z",
    "2014-13-01T03:30:30Z",
    "2014-04-12T24:00:00Z",
    "2014-04-12T03:30:30+19:00",
    "12/04/2014",
    "",
  ])("%j is refused", (text) => {
    expect(parseZonedDateTime(text)).toBeNull();
  });

  test("years below 100 are read as written, not as 19xx", () => {
    expect(parseZonedDateTime("0020-02-29T00:30:00+01:00[Europe/Paris]")?.instant.toISOString()).toBe(
      "0020-02-28T23:30:00.000Z",
    );
  });

  test("an offset that crosses a leap day lands on the right day", () => {
    expect(parseZonedDateTime("2023-03-01T00:30:00+01:00")?.instant.toISOString()).toBe("2023-02-28T23:30:00.000Z");
    expect(parseZonedDateTime("2024-03-01T00:30:00+01:00")?.instant.toISOString()).toBe("2024-02-29T23:30:00.000Z");
  });

  test("a leap day is a valid date only in a leap year", () => {
    expect(parseZonedDateTime("2024-02-29T00:00:00Z")).not.toBeNull();
    expect(parseZonedDateTime("2023-02-29T00:00:00Z")).toBeNull();
  });
});

describe("instants the databases cannot hold", () => {
  test.each([
    ["0000-01-01T00:00:00Z", "year 0"],
    ["0001-01-01T00:00:00+00:01", "one minute before year 1 in UTC"],
    ["9999-12-31T23:59:59-18:00", "year 10000 in UTC"],
  ])("%j (%s) is refused", (text) => {
    expect(parseZonedDateTime(text)).toBeNull();
  });

  test.each(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59+18:00"])(
    "%j, at the edge, is read",
    (text) => {
      expect(parseZonedDateTime(text)).not.toBeNull();
    },
  );

  test("any instant of years 0001 to 9999, written in local time with any offset, reads back as that instant", () => {
    const pad = (value: number, width = 2) => String(value).padStart(width, "0");
    const instants = fc.integer({ min: Date.parse("0001-01-02T00:00:00Z"), max: Date.parse("9999-12-30T00:00:00Z") });
    const offsets = fc.integer({ min: -18 * 60, max: 18 * 60 });
    fc.assert(
      fc.property(instants, offsets, (instant, offsetMinutes) => {
        const local = new Date(instant + offsetMinutes * 60_000);
        const sign = offsetMinutes < 0 ? "-" : "+";
        const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
        const text =
          `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
          `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
          `.${pad(local.getUTCMilliseconds(), 3)}${offset}[Europe/Paris]`;
        expect(parseZonedDateTime(text)?.instant.getTime()).toBe(instant);
      }),
      { numRuns: 5_000 },
    );
  });
});
