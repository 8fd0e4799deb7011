// Written from ../shared/douane/H7-CALLBACKS.md (§3 field trees, §6 settled readings), not from the code.
import { bodyToExamine, examineMessage, readMessageId } from "../../src/douane/examine";
import { h7Channels, matchChannel } from "../../src/douane/h7/channels";
import { errorH7Example, registrationH7Example, responseH7Example } from "../support/examples";

const RESPONSE = "/declarations/228231995374/reponses";
const REGISTRATION = "/demandes/REQ-9/enregistrement";
const ERROR = "/declarations/erreurs";

/** Examines a body as the intake does: from its JSON text exactly as sent. */
function examineText(path: string, text: string) {
  const { channel, pathParams } = matchChannel(h7Channels, path);
  return examineMessage(channel, bodyToExamine(channel, JSON.parse(text), text) as Record<string, unknown>, pathParams);
}
const examine = (path: string, body: object) => examineText(path, JSON.stringify(body));
const errorPaths = (path: string, body: object) =>
  examine(path, body)
    .findings.filter((f) => f.severity === "error")
    .map((f) => f.path);

const emoji = (n: number) => "\u{1F600}".repeat(n); // one code point, two UTF-16 units
const declaration = (i: number) => ({
  lrn: `LRN-${i}`,
  customsDeclarationReference: `CDR-${i}`,
  mrn: `21FR${String(i).padStart(14, "0")}`,
});

describe("each channel's keys come from its published members only", () => {
  test("an Error_H7 is indexed under declaration.lrn, not under an lrn its header or root also carries", () => {
    const body = {
      ...errorH7Example,
      lrn: "ROOT-LRN",
      header: { ...errorH7Example.header, lrn: "HEADER-LRN", customsDeclarationReference: "HEADER-CDR" },
    };
    const { keys, declarations } = examine(ERROR, body);
    expect(keys).toMatchObject({
      lrn: "TEST123456",
      customsDeclarationReference: "228231995374",
      mrn: "15FR9876AB889012B5",
      operatorRequestReference: "TEST123456",
    });
    expect(declarations).toEqual([
      { position: 0, lrn: "TEST123456", customsDeclarationReference: "228231995374", mrn: "15FR9876AB889012B5" },
    ]);
  });

  test("an Error_H7 without a declaration block names no declaration, whatever its root or header say", () => {
    const { declaration: _declaration, ...rest } = errorH7Example;
    const body = {
      ...rest,
      lrn: "ROOT-LRN",
      mrn: "21FR00000000000ROOT",
      header: { ...rest.header, lrn: "HEADER-LRN" },
    };
    const { keys, declarations, valid } = examine(ERROR, body);
    expect(valid).toBe(true);
    expect(keys).toMatchObject({
      lrn: null,
      mrn: null,
      customsDeclarationReference: null,
      operatorRequestReference: "TEST123456",
    });
    expect(declarations).toEqual([]);
  });

  test("a Response_H7 gives declarationState.state as its state, not a state its header carries", () => {
    const body = {
      ...responseH7Example,
      state: "ROOT",
      header: { ...responseH7Example.header, state: "REJ" },
      declaration: { lrn: "OTHER" },
    };
    const { keys, valid } = examine(RESPONSE, body);
    expect(valid).toBe(true);
    expect(keys).toMatchObject({
      state: "ACC",
      lrn: "LRN2021000001",
      customsDeclarationReference: "228231995374",
      mrn: "21FR000000012345A1",
    });
  });

  test("a Response_H7 has no request references, even in members the spec does not give it", () => {
    const body = {
      ...responseH7Example,
      request: { operatorRequestReference: "OP-X", customsRequestReference: "REQ-X" },
    };
    expect(examine(RESPONSE, body).keys).toMatchObject({
      operatorRequestReference: null,
      customsRequestReference: null,
    });
  });

  test("a registration names every entry of declarations[]; its references come from header and request", () => {
    const body = {
      ...registrationH7Example,
      lrn: "ROOT-LRN",
      header: { ...registrationH7Example.header, lrn: "HEADER-LRN", customsRequestReference: "HEADER-REQ" },
      request: {
        ...registrationH7Example.request,
        customsRequestReference: "REQ-9",
        operatorRequestReference: "REQUEST-OP",
      },
      declarations: Array.from({ length: 99 }, (_, i) => declaration(i)),
    };
    const { keys, declarations, valid } = examine(REGISTRATION, body);
    expect(valid).toBe(true);
    expect(keys).toMatchObject({
      operatorRequestReference: "OP1234",
      customsRequestReference: "REQ-9",
      lrn: "LRN-0",
      customsDeclarationReference: "CDR-0",
    });
    expect(declarations).toHaveLength(99);
    expect(declarations[98]).toEqual({ position: 98, ...declaration(98) });
  });

  test('the spec\'s registration example, with customsRequestReference "", takes the reference from its path', () => {
    expect(examine(REGISTRATION, registrationH7Example).keys.customsRequestReference).toBe("REQ-9");
  });

  test("a message on a path no channel knows is unchecked, kept, and searchable by the references it contains", () => {
    const body = {
      header: { messageId: "m-1" },
      request: { customsRequestReference: "REQ-U" },
      declarations: [declaration(1), declaration(2)],
    };
    const examination = examine("/declarations/X/invalidation", body);
    expect(examination).toMatchObject({ valid: true, validation: "unchecked", findings: [] });
    expect(examination.keys).toMatchObject({ customsRequestReference: "REQ-U", lrn: "LRN-1" });
    expect(examination.declarations.map((d) => d.customsDeclarationReference)).toEqual(["CDR-1", "CDR-1", "CDR-2"]);
  });

  test("a message on a known channel is valid or invalid, never unchecked", () => {
    expect(examine(ERROR, errorH7Example).validation).toBe("valid");
    expect(examine(ERROR, { header: errorH7Example.header }).validation).toBe("invalid");
  });
});

describe("amounts are checked on the number's text as sent", () => {
  const withAmount = (text: string) =>
    JSON.stringify({
      ...responseH7Example,
      dutiesAndTaxes: { generalTaxation: { guaranteedAmount: 0, unguaranteedAmount: 0, totalPayableTaxAmount: "@" } },
    }).replace('"@"', text);

  test.each([
    "9999999999999999",
    "99999999999999.99",
    "999999999999999.9",
    "0.01",
    "0",
    "12.50",
    "1E2",
    "5.000",
    "1.5e1",
  ])("%s is an allowed amount", (amount) => {
    expect(examineText(RESPONSE, withAmount(amount))).toMatchObject({ valid: true, findings: [] });
  });

  test.each(["99999999999999999", "10000000000000000", "999999999999999.99", "1.234", "-1", "1E17", '"12"', "null"])(
    "%s is refused",
    (amount) => {
      expect(examineText(RESPONSE, withAmount(amount)).findings).toEqual([
        expect.objectContaining({ path: "dutiesAndTaxes.generalTaxation.totalPayableTaxAmount", severity: "error" }),
      ]);
    },
  );
});

describe("only the rules the spec makes, lengths in code points", () => {
  test("customsRequestReference has no maximum length", () => {
    const body = {
      ...registrationH7Example,
      request: { ...registrationH7Example.request, customsRequestReference: "R".repeat(300) },
    };
    expect(errorPaths(`/demandes/${"R".repeat(300)}/enregistrement`, body)).toEqual([]);
  });

  test("a 291-character messageId is accepted with emoji in it, a 292-character one is not", () => {
    const id = `b6c9f124-4a83-4003-bcc9-1bce1798c2ab${emoji(255)}`; // 291 characters, 546 UTF-16 units
    expect(readMessageId({ header: { messageId: id } })).toBe(id);
    expect(errorPaths(ERROR, { ...errorH7Example, header: { ...errorH7Example.header, messageId: id } })).toEqual([]);
    expect(readMessageId({ header: { messageId: `${id}x` } })).toBeNull();
    expect(errorPaths(ERROR, { ...errorH7Example, header: { ...errorH7Example.header, messageId: `${id}x` } })).toEqual(
      ["header.messageId"],
    );
  });

  test.each([
    ["lrn", 22],
    ["customsDeclarationReference", 22],
  ])("an Error_H7 %s of %i emoji is accepted, one more is refused", (field, max) => {
    const at = (n: number) => ({
      ...errorH7Example,
      declaration: { ...errorH7Example.declaration, [field]: emoji(n) },
    });
    expect(errorPaths(ERROR, at(max))).toEqual([]);
    expect(errorPaths(ERROR, at(max + 1))).toEqual([`declaration.${field}`]);
  });

  test("operatorRequestReference ≤ 35, state ≤ 35, event ≤ 260, errorDescription ≤ 350, counted in code points", () => {
    const registration = (n: number) => ({
      ...registrationH7Example,
      header: { ...registrationH7Example.header, operatorRequestReference: emoji(n) },
    });
    expect(errorPaths(REGISTRATION, registration(35))).toEqual([]);
    expect(errorPaths(REGISTRATION, registration(36))).toEqual(["header.operatorRequestReference"]);
    const response = (state: number, event: number) => ({
      ...responseH7Example,
      declarationState: { ...responseH7Example.declarationState, state: emoji(state), event: emoji(event) },
    });
    expect(errorPaths(RESPONSE, response(35, 260))).toEqual([]);
    expect(errorPaths(RESPONSE, response(36, 261)).sort()).toEqual([
      "declarationState.event",
      "declarationState.state",
    ]);
    const error = (n: number) => ({ ...errorH7Example, error: [{ errorDescription: "é".repeat(n - 1) + emoji(1) }] });
    expect(errorPaths(ERROR, error(350))).toEqual([]);
    expect(errorPaths(ERROR, error(351))).toEqual(["error.0.errorDescription"]);
  });

  test("a registration's mrn is any 18 characters (.{18}); a response's 18 letters or digits", () => {
    const registration = (mrn: string) => ({
      ...registrationH7Example,
      declarations: [{ ...registrationH7Example.declarations[0], mrn }],
    });
    expect(errorPaths(REGISTRATION, registration(emoji(18)))).toEqual([]);
    expect(errorPaths(REGISTRATION, registration(emoji(17)))).toEqual(["declarations.0.mrn"]);
    const response = (mrn: string) => ({ ...responseH7Example, header: { ...responseH7Example.header, mrn } });
    expect(errorPaths(RESPONSE, response("15FR9876AB889012B5"))).toEqual([]);
    expect(errorPaths(RESPONSE, response(emoji(18)))).toEqual(["header.mrn"]);
  });

  test("nationalTaxCode is any 4 characters; itemNumber an integer of at most 5 digits", () => {
    const items = (item: object) => ({ ...responseH7Example, dutiesAndTaxes: { itemsTaxation: [item] } });
    expect(errorPaths(RESPONSE, items({ itemNumber: 99999, nationalTaxCode: emoji(4) }))).toEqual([]);
    expect(errorPaths(RESPONSE, items({ itemNumber: 100000, nationalTaxCode: emoji(5) })).sort()).toEqual([
      "dutiesAndTaxes.itemsTaxation.0.itemNumber",
      "dutiesAndTaxes.itemsTaxation.0.nationalTaxCode",
    ]);
    expect(errorPaths(RESPONSE, items({ itemNumber: 1.5 }))).toEqual(["dutiesAndTaxes.itemsTaxation.0.itemNumber"]);
  });

  test("errorType is an integer of two digits at most", () => {
    const withType = (errorType: unknown) => ({ ...errorH7Example, error: [{ errorType }] });
    expect(errorPaths(ERROR, withType(99))).toEqual([]);
    expect(errorPaths(ERROR, withType(100))).toEqual(["error.0.errorType"]);
    expect(errorPaths(ERROR, withType("15"))).toEqual(["error.0.errorType"]);
  });

  test("the deliberate leniencies: Java's date-time forms and unknown members", () => {
    const header = (messageDateTime: string) => ({
      ...errorH7Example,
      header: { ...errorH7Example.header, messageDateTime, version: "0.4" },
      extra: [1],
    });
    for (const text of [
      "2024-03-01T10:15+01:00[Europe/Paris]",
      "2024-03-01T10:15:00.123456+01:00[Europe/Paris]",
      "2024-03-01T09:15:00Z[UTC]",
      "2024-03-01T09:15:00Z",
    ]) {
      expect(errorPaths(ERROR, header(text))).toEqual([]);
    }
    expect(errorPaths(ERROR, header("2024-03-01 10:15:00"))).toEqual(["header.messageDateTime"]);
  });
});
