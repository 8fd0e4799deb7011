import fc from "fast-check";
import { bodyToExamine, examineMessage, readMessageId } from "../../src/douane/examine";
import { h7Channels, matchChannel } from "../../src/douane/h7/channels";
import { parseExact } from "../../src/douane/numbers";
import { errorH7Example, registrationH7Example, responseH7Example } from "../support/examples";

const examine = (path: string, body: object) => {
  const { channel, pathParams } = matchChannel(h7Channels, path);
  return examineMessage(channel, body as Record<string, unknown>, pathParams);
};

describe("H7 channels", () => {
  test.each([
    ["/declarations/228231995374/reponses", "declaration_response", { customsDeclarationReference: "228231995374" }],
    ["/demandes/REQ%2F1/enregistrement", "request_registration", { customsRequestReference: "REQ/1" }],
    ["/declarations/erreurs", "declaration_error", {}],
    ["/declarations/erreurs/", "declaration_error", {}],
    ["/declarations/X/invalidation", "unknown", { path: "/declarations/X/invalidation" }],
    ["/demandes/%E0%A4%A/enregistrement", "unknown", { path: "/demandes/%E0%A4%A/enregistrement" }],
  ])("%s is the channel %s", (path, name, pathParams) => {
    expect(matchChannel(h7Channels, path)).toEqual({ channel: expect.objectContaining({ name }), pathParams });
  });
});

describe("examining H7 messages", () => {
  test("the spec's examples are valid", () => {
    expect(examine("/declarations/erreurs", errorH7Example).valid).toBe(true);
    expect(examine("/demandes/X/enregistrement", registrationH7Example).valid).toBe(true);
    expect(examine("/declarations/228231995374/reponses", responseH7Example)).toMatchObject({
      valid: true,
      findings: [],
    });
  });

  test("fields the spec does not publish are no reason to refuse", () => {
    const extended = { ...errorH7Example, newBlock: { x: 1 }, header: { ...errorH7Example.header, version: "0.4.0" } };
    expect(examine("/declarations/erreurs", extended).valid).toBe(true);
  });

  test("a Response_H7 without taxation, as on relief from taxation, is valid", () => {
    const relieved = { ...responseH7Example, dutiesAndTaxes: {} };
    expect(examine("/declarations/228231995374/reponses", relieved).valid).toBe(true);
  });

  test("a pre-lodged Response_H7 without mrn is valid", () => {
    const { mrn: _mrn, ...header } = responseH7Example.header;
    expect(examine("/declarations/228231995374/reponses", { ...responseH7Example, header }).valid).toBe(true);
  });

  test("lengths, patterns and amounts of the spec are enforced, each finding naming its path", () => {
    const bad = {
      ...responseH7Example,
      header: { ...responseH7Example.header, lrn: "L".repeat(23), mrn: "21FR-00000012345A1" },
      dutiesAndTaxes: {
        generalTaxation: { guaranteedAmount: 1.234, unguaranteedAmount: -1, totalPayableTaxAmount: 3 },
      },
    };
    const { valid, findings } = examine("/declarations/228231995374/reponses", bad);
    expect(valid).toBe(false);
    expect(findings.map((finding) => finding.path).sort()).toEqual([
      "dutiesAndTaxes.generalTaxation.guaranteedAmount",
      "dutiesAndTaxes.generalTaxation.unguaranteedAmount",
      "header.lrn",
      "header.mrn",
    ]);
  });

  test("an Error_H7 may carry up to 999 errors, not more", () => {
    const errors = (n: number) => ({
      ...errorH7Example,
      error: Array.from({ length: n }, () => errorH7Example.error[0]),
    });
    expect(examine("/declarations/erreurs", errors(999)).valid).toBe(true);
    expect(examine("/declarations/erreurs", errors(1000)).findings).toEqual([
      expect.objectContaining({ path: "error" }),
    ]);
  });

  test("a path parameter that the body contradicts is a warning, not an error", () => {
    const { valid, findings } = examine("/declarations/OTHER/reponses", responseH7Example);
    expect(valid).toBe(true);
    expect(findings).toEqual([
      { path: "header.customsDeclarationReference", message: expect.stringContaining("OTHER"), severity: "warning" },
    ]);
  });

  test("the keys people search by are extracted, the date-time as an instant with its raw text", () => {
    expect(examine("/declarations/228231995374/reponses", responseH7Example).keys).toEqual({
      lrn: "LRN2021000001",
      mrn: "21FR000000012345A1",
      customsDeclarationReference: "228231995374",
      customsRequestReference: null,
      operatorRequestReference: null,
      state: "ACC",
      messageDateTime: new Date("2021-03-01T09:15:00Z"),
      messageDateTimeRaw: "2021-03-01T10:15:00+01:00[Europe/Paris]",
    });
  });

  test("readMessageId takes only a string header.messageId of at most 291 characters", () => {
    expect(readMessageId({ header: { messageId: "b6c9f124-4a83-4003-bcc9-1bce1798c2ab1591712615" } })).toBe(
      "b6c9f124-4a83-4003-bcc9-1bce1798c2ab1591712615",
    );
    expect(readMessageId({ header: { messageId: 42 } })).toBeNull();
    expect(readMessageId({ header: { messageId: "x".repeat(292) } })).toBeNull();
    expect(readMessageId([{ header: { messageId: "x" } }])).toBeNull();
    expect(readMessageId(JSON.parse('{"__proto__": {"messageId": "x"}}'))).toBeNull();
    expect(readMessageId(null)).toBeNull();
  });

  test("readMessageId refuses an id with U+0000 or an unpaired surrogate, which no database stores as it came", () => {
    expect(readMessageId(JSON.parse('{"header": {"messageId": "ab\\u0000c"}}'))).toBeNull();
    expect(readMessageId(JSON.parse('{"header": {"messageId": "ab\\ud800"}}'))).toBeNull();
    expect(readMessageId(JSON.parse('{"header": {"messageId": "\\udc00ab"}}'))).toBeNull();
    expect(readMessageId(JSON.parse('{"header": {"messageId": "\\ud83d\\ude00 ok"}}'))).toBe("\u{1F600} ok");
  });

  test("keys with U+0000 or unpaired surrogates, from the body or the path, are kept with U+FFFD in their place", () => {
    const body = JSON.parse(
      '{"header": {"messageId": "k"}, "request": {"customsRequestReference": ""}, "declarations": [{"lrn": "L\\u00001", "mrn": "\\udbffM"}]}',
    );
    const { keys } = examine("/demandes/R%00Q/enregistrement", body);
    expect(keys).toMatchObject({ lrn: "L\uFFFD1", mrn: "\uFFFDM", customsRequestReference: "R\uFFFDQ" });
  });

  test("a key is cut at 350 characters counted in code points, never through a surrogate pair", () => {
    const { keys } = examine("/x", { header: { messageId: "k", lrn: `${"L".repeat(349)}\u{1F600}\u{1F600}` } });
    expect(keys.lrn).toBe(`${"L".repeat(349)}\u{1F600}`);
  });
});

describe("a Response_H7 is examined on lossless-json's reading of its text", () => {
  // Made from JSON.parse's reading when that one lost nothing (numbers.test.ts); the findings must be those of
  // lossless-json's own reading, also where a number stands in place of a text or an object (a LosslessNumber is
  // an object to the schema, a double is not).
  const places = [
    ["header", "lrn"],
    ["header", "mrn"],
    ["header", "messageDateTime"],
    ["declarationState"],
    ["declarationState", "state"],
    ["dutiesAndTaxes", "generalTaxation"],
    ["dutiesAndTaxes", "generalTaxation", "guaranteedAmount"],
    ["dutiesAndTaxes", "generalTaxation", "totalPayableTaxAmount"],
    ["dutiesAndTaxes", "itemsTaxation", "0", "itemNumber"],
    ["dutiesAndTaxes", "itemsTaxation", "0", "taxBase"],
  ];
  const spelling = fc.constantFrom(
    "12",
    "0",
    "42",
    "12.5",
    "-1",
    "12.50",
    "1E2",
    "5.000",
    "-0",
    "9999999999999999",
    "0.1e1",
  );
  const { channel, pathParams } = matchChannel(h7Channels, "/declarations/228231995374/reponses");

  test("with its numbers spelt so that JSON.parse reads them back or not, and in place of texts or objects", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...places), spelling), { maxLength: 4 }), (changes) => {
        const body = structuredClone(responseH7Example) as Record<string, unknown>;
        for (const [i, [place]] of changes.entries()) {
          const holder = place.slice(0, -1).reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], body);
          // A place inside one an earlier change made a number is no place any more.
          if (typeof holder === "object" && holder !== null)
            (holder as Record<string, unknown>)[place.at(-1)!] = `@${i}@`;
        }
        const text = changes.reduce((json, [, digits], i) => json.replace(`"@${i}@"`, digits), JSON.stringify(body));
        const examined = examineMessage(
          channel,
          bodyToExamine(channel, JSON.parse(text), text) as Record<string, unknown>,
          pathParams,
        );
        expect(examined).toEqual(examineMessage(channel, parseExact(text) as Record<string, unknown>, pathParams));
      }),
      { numRuns: 500 },
    );
  });
});
