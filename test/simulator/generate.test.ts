import { parseZonedDateTime } from "../../src/douane/datetime";
import { examineMessage } from "../../src/douane/examine";
import { h7Channels, matchChannel } from "../../src/douane/h7/channels";
import { type Callback, errorsOf, generateCallback, simulatedChannels } from "../../src/simulator/callbacks";
import { javaDateTimeOf, mrnCheckDigit, mrnOf } from "../../src/simulator/identifiers";
import { invalidKinds, makeInvalid } from "../../src/simulator/invalid";
import { seededRandom } from "../../src/simulator/random";

/** What the receiver decides for a callback sent to its path: the same functions the intake runs. */
function examine(callback: Callback) {
  const { channel, pathParams } = matchChannel(h7Channels, callback.path);
  return { channel: channel.name, ...examineMessage(channel, callback.body, pathParams) };
}

const SPEC_DATE_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+,-][0-9]{2}:[0-9]{2}.+$/;
const SPEC_AMOUNT = /^(([0-9]{1,14}[.][0-9]{1,2})|([0-9]{1,15}[.][0-9])|([0-9]{1,16}))$/;
const at = new Date("2026-03-29T00:30:00Z");

test.each(simulatedChannels)(
  "every generated %s callback passes the service's own validation, on the path it is sent to, without a finding",
  (channelName) => {
    for (let seed = 1; seed <= 300; seed++) {
      const callback = generateCallback(seededRandom(seed), channelName, { at, maxErrors: 999 });
      const examination = examine(callback);
      expect({ seed, channel: examination.channel, findings: examination.findings }).toEqual({
        seed,
        channel: channelName,
        findings: [],
      });
      expect(examination.valid).toBe(true);
    }
  },
);

test("identifiers and values have the published formats", () => {
  const random = seededRandom(7);
  const all = Array.from({ length: 200 }, () =>
    generateCallback(random, random.pick(simulatedChannels), { at, maxErrors: 20 }),
  );
  const text = JSON.stringify(all);
  for (const { body } of all) {
    expect(body.header.messageId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\d{10}$/,
    );
    expect(body.header.messageId.slice(36)).toBe(String(at.getTime() / 1000));
    expect(body.header.messageDateTime).toMatch(SPEC_DATE_TIME);
  }
  for (const mrn of text.match(/"mrn":"[^"]*"/g)!.map((field) => field.slice(7, -1))) {
    expect(mrn).toMatch(/^26FR[0-9A-Z]{12}[AB][0-9]$/);
    expect(Number(mrn[17])).toBe(mrnCheckDigit(mrn.slice(0, 17)));
  }
  for (const [, amount] of text.matchAll(
    /"(?:guaranteedAmount|unguaranteedAmount|totalPayableTaxAmount|taxBase)":([^,}]+)/g,
  )) {
    expect(amount).toMatch(SPEC_AMOUNT);
  }
  for (const [, lrn] of text.matchAll(/"lrn":"([^"]*)"/g)) expect(lrn.length).toBeLessThanOrEqual(22);
  expect(text).toMatch(/"errorDescription":"[^"]*[éèàç][^"]*"/); // French texts
});

test("MRN check digits follow ISO 6346, as the spec's own example does", () => {
  expect(mrnCheckDigit("19FR091000000064A")).toBe(2);
  expect(mrnOf(seededRandom(1), at)).toHaveLength(18);
});

test("date-times are Europe/Paris Java ZonedDateTime text, with the summer-time offset, and parse to the same instant", () => {
  const formatter = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", timeZoneName: "longOffset" });
  for (const iso of [
    "2026-01-15T12:00:00Z",
    "2026-03-29T00:59:59Z",
    "2026-03-29T01:00:00Z",
    "2026-07-01T22:30:00Z",
    "2026-10-25T00:59:59Z",
    "2026-10-25T01:00:00Z",
  ]) {
    const instant = new Date(iso);
    const text = javaDateTimeOf(instant);
    expect(text).toMatch(SPEC_DATE_TIME);
    expect(text.endsWith("[Europe/Paris]")).toBe(true);
    expect(parseZonedDateTime(text)!.instant).toEqual(instant);
    expect(`GMT${text.slice(19, 25)}`).toBe(
      formatter.formatToParts(instant).find((part) => part.type === "timeZoneName")!.value,
    );
  }
});

test("an Error_H7 with 999 errors is valid; 1000 are refused", () => {
  const callback = generateCallback(seededRandom(3), "declaration_error", { at, maxErrors: 1 });
  expect(examine({ ...callback, body: { ...callback.body, error: errorsOf(seededRandom(4), 999) } }).valid).toBe(true);
  expect(examine(makeInvalid(seededRandom(5), callback, "too_many_errors").callback).valid).toBe(false);
});

test("each way of breaking a callback that fits its channel gets it refused by the service's validation", () => {
  let checked = 0;
  for (const channelName of simulatedChannels) {
    for (const kind of invalidKinds) {
      const callback = generateCallback(seededRandom(11), channelName, { at, maxErrors: 3 });
      let broken: ReturnType<typeof makeInvalid>["callback"];
      try {
        broken = makeInvalid(seededRandom(12), callback, kind).callback;
      } catch {
        continue; // the kind does not fit the channel (e.g. amounts outside Response_H7)
      }
      const examination = examine(broken);
      expect({ channelName, kind, valid: examination.valid }).toEqual({ channelName, kind, valid: false });
      expect(callback.body).not.toEqual(broken.body);
      checked++;
    }
  }
  expect(checked).toBe(14);
});
