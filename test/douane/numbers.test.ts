import fc from "fast-check";
import { isLosslessNumber } from "lossless-json";
import { parseExact } from "../../src/douane/numbers";

// parseExact(text, parsed) makes lossless-json's reading from JSON.parse's when nothing was lost in it; whichever
// way it was made, the reading must be the same as lossless-json's own, to the prototype and the member order.
const lossless = jest.requireActual<typeof import("lossless-json")>("lossless-json");

/** Where two readings differ (numbers, member order, prototypes, property attributes), or null. */
function difference(a: unknown, b: unknown, at = "$"): string | null {
  if (isLosslessNumber(a) || isLosslessNumber(b)) {
    const same =
      isLosslessNumber(a) &&
      isLosslessNumber(b) &&
      Object.getPrototypeOf(a) === Object.getPrototypeOf(b) &&
      a.value === b.value;
    return same ? null : `${at}: ${String(a)} vs ${String(b)}`;
  }
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null)
    return Object.is(a, b) ? null : `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b))
    return `${at}: not the same kind of value`;
  const keys = Reflect.ownKeys(a);
  if (JSON.stringify(keys.map(String)) !== JSON.stringify(Reflect.ownKeys(b).map(String)))
    return `${at}: members ${keys.map(String)} vs ${Reflect.ownKeys(b).map(String)}`;
  for (const key of keys) {
    const [da, db] = [Object.getOwnPropertyDescriptor(a, key), Object.getOwnPropertyDescriptor(b, key)];
    if (da?.enumerable !== db?.enumerable || da?.writable !== db?.writable || da?.configurable !== db?.configurable)
      return `${at}.${String(key)}: other property attributes`;
    const inner = difference(da?.value, db?.value, `${at}.${String(key)}`);
    if (inner !== null) return inner;
  }
  return null;
}

const space = fc.constantFrom("", "", "", " ", "\n  ", "\t", "\r\n");
const numberSpelling = fc.oneof(
  fc.constantFrom("0", "42", "12.5", "-7", "0.01", "1.234", "10000000000000000", "1e+21", "1e-7"),
  fc.constantFrom("-0", "1E2", "5.000", "12.50", "0.1e1", "9999999999999999", "0.0000001", "1e400", "-0.0", "1E-2"),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);
/** A JSON string token for `value`, with some of its UTF-16 units written as \u escapes. */
const stringToken = (value: string, escapes: boolean[]) =>
  `"${value
    .split("")
    .map((unit, i) =>
      escapes[i % escapes.length]
        ? `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`
        : JSON.stringify(unit).slice(1, -1),
    )
    .join("")}"`;
const anyString = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "",
      "a",
      "ab",
      "__proto__",
      "1",
      "10",
      "a:b",
      '{"x":1}',
      "[1,2]",
      '\\"',
      "12.50",
      "-0",
      "\u00e9",
      "\u{1F600}",
    ),
    fc.string({
      unit: fc.constantFrom("a", "b", '"', "\\", ":", ",", "{", "}", "[", "]", "1", "-", "e", " ", "\u00e9"),
    }),
  ),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
);
const stringText = anyString.map(([value, escapes]) => stringToken(value, escapes));
// Few names, so that objects often name one twice, sometimes spelt with an escape.
const memberName = fc.tuple(
  fc.constantFrom("a", "b", "ab", "__proto__", "1", "0", "", "a:b"),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
);

const { value: jsonText } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numberSpelling,
    stringText,
    fc.constantFrom("true", "false", "null"),
    tie("object"),
    tie("array"),
  ),
  object: fc.array(fc.tuple(space, memberName, space, space, tie("value"), space), { maxLength: 5 }).map((members) => {
    const written = members.map(([s1, [name, escapes], s2, s3, value, s4]) => {
      return `${s1}${stringToken(name, escapes)}${s2}:${s3}${value}${s4}`;
    });
    return `{${written.join(",")}}`;
  }),
  array: fc
    .array(fc.tuple(space, tie("value"), space), { maxLength: 4 })
    .map((items) => `[${items.map(([s1, value, s2]) => `${s1}${value}${s2}`).join(",")}]`),
}));
const document = fc.tuple(space, jsonText, space).map(([before, text, after]) => `${before}${text}${after}`);

/** lossless-json's reading of a text, or null where it refuses it (a member named twice with other values). */
function readByLosslessJson(text: string): unknown {
  try {
    return lossless.parse(text);
  } catch {
    return null;
  }
}

describe("the exact reading of a body's numbers", () => {
  test("made from JSON.parse's reading, it is lossless-json's own, whatever the text", () => {
    const read = { once: 0, twice: 0 };
    fc.assert(
      fc.property(document, (text) => {
        const expected = readByLosslessJson(text);
        const parse = jest.spyOn(lossless, "parse");
        try {
          const exact = parseExact(text, JSON.parse(text));
          read[parse.mock.calls.length === 0 ? "once" : "twice"]++;
          expect(difference(exact, expected)).toBeNull();
        } finally {
          parse.mockRestore();
        }
      }),
      { numRuns: 3000 },
    );
    // Both ways were tried often: texts JSON.parse reads without loss, and texts it does not.
    expect(Math.min(read.once, read.twice)).toBeGreaterThan(500);
  });

  test.each([
    ['{"a":1E2}', "1E2"],
    ['{"a":[5.000]}', "5.000"],
    ['{"a":12.50}', "12.50"],
    ['{"a":-0}', "-0"],
    ['{"a":9999999999999999}', "9999999999999999"],
    ['{"a":0.1e1}', "0.1e1"],
    ['{"a":12.5}', "12.5"],
    ['{"a":0}', "0"],
    ['{"a":42}', "42"],
  ])("in %s the number's text is %s", (text, digits) => {
    const exact = parseExact(text, JSON.parse(text)) as { a: unknown };
    const number = Array.isArray(exact.a) ? exact.a[0] : exact.a;
    expect(isLosslessNumber(number) && number.value).toBe(digits);
  });

  test.each([
    ['{"a":1,"b":{"c":[12.5,"x:1",true,null],"__proto__":{"d":0}},"1":-7}', false],
    ['{"a":1,"a":2}', true],
    ['{"a":12.50}', true],
    ['{"a":1,"b":{"a":1,"a\\u0062":2,"ab":3}}', true],
  ])("%s is read a second time: %s", (text, again) => {
    const parse = jest.spyOn(lossless, "parse");
    try {
      parseExact(text, JSON.parse(text));
      expect(parse).toHaveBeenCalledTimes(again ? 1 : 0);
    } finally {
      parse.mockRestore();
    }
  });

  test("a body nested deeper than lossless-json can surely read is read by it, as before", () => {
    const deep = `${'{"a":'.repeat(600)}1${"}".repeat(600)}`;
    const expected = readByLosslessJson(deep);
    const parse = jest.spyOn(lossless, "parse");
    try {
      expect(difference(parseExact(deep, JSON.parse(deep)), expected)).toBeNull();
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});
