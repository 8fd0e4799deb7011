import { z } from "zod";
import { parseZonedDateTime } from "../datetime";
import { numberText, plainDecimal } from "../numbers";
import { atMostCodePoints } from "../text";

/**
 * Zod schemas of the DELTA H7 messages Douane sends (../shared/douane/H7-CALLBACKS.md, spec 0.3.0): each rule
 * here is one the spec makes, and the deliberate leniencies are listed with their reasons in docs/h7-validation.md.
 * Objects are loose: the published specs are incomplete (D1 item tail, D4, D5), so an unknown field is
 * never a reason to refuse a message. The raw body is stored anyway, byte for byte.
 */

/** A string of at most `max` characters, counted in code points as JSON Schema counts them. */
const text = (max: number) =>
  z.string().refine((value) => atMostCodePoints(value, max), { message: `expected at most ${max} characters` });
/** The published patterns are ECMA-262 regular expressions; `u` makes `.` one code point. */
const pattern = (regex: RegExp, message: string) => z.string().regex(new RegExp(`^(?:${regex.source})$`, "u"), message);
const dateTime = z.string().refine((value) => parseZonedDateTime(value) !== null, {
  message: "expected a date-time like 2014-04-12T03:30:30-05:00[US/Central], in years 0001 to 9999 (UTC)",
});
const mrnAlphanumeric = pattern(/[0-9a-zA-Z]{18}/, "expected 18 letters or digits");

/** A JSON number whose text matches `regex`, as sent or in its plain spelling (`1E2` is 100, `5.000` is 5). */
const jsonNumber = (regex: RegExp, message: string) =>
  z.custom<unknown>(
    (value) => {
      const sent = numberText(value);
      if (sent === null) return false;
      const plain = plainDecimal(sent);
      return regex.test(sent) || (plain !== null && regex.test(plain));
    },
    { message },
  );
const amount = jsonNumber(
  /^(?:([0-9]{1,14}[.][0-9]{1,2})|([0-9]{1,15}[.][0-9])|([0-9]{1,16}))$/,
  "expected an amount of at most 16 digits, 2 of them decimals",
);

const messageHeader = z.looseObject({
  messageDateTime: dateTime,
  messageId: text(291),
});

export const responseH7 = z.looseObject({
  header: messageHeader.extend({
    lrn: text(22),
    customsDeclarationReference: text(22),
    mrn: mrnAlphanumeric.optional(), // absent while the declaration is pre-lodged
  }),
  declarationState: z.looseObject({
    state: text(35),
    stateDateTime: dateTime,
    event: text(260),
  }),
  dutiesAndTaxes: z.looseObject({
    // Marked required, but documented as absent on relief from taxation.
    generalTaxation: z
      .looseObject({ guaranteedAmount: amount, unguaranteedAmount: amount, totalPayableTaxAmount: amount })
      .optional(),
    itemsTaxation: z
      .array(
        z.looseObject({
          itemNumber: jsonNumber(/^-?[0-9]{1,5}$/, "expected an integer of at most 5 digits"),
          nationalTaxCode: pattern(/.{4}/, "expected 4 characters").optional(),
        }),
      )
      .max(99)
      .optional(),
  }),
});

export const responseRegistrationH7 = z.looseObject({
  header: messageHeader.extend({ operatorRequestReference: text(35) }),
  request: z
    .looseObject({
      customsRequestReference: z.string(), // no maximum in the spec; its own example sends ""
      requestRegistrationDateTime: dateTime,
    })
    .optional(),
  declarations: z
    .array(
      z.looseObject({
        lrn: text(22),
        customsDeclarationReference: text(22),
        mrn: pattern(/.{18}/, "expected 18 characters"),
      }),
    )
    .max(99),
});

export const errorH7 = z.looseObject({
  header: messageHeader,
  declaration: z
    .looseObject({ lrn: text(22), customsDeclarationReference: text(22).optional(), mrn: mrnAlphanumeric.optional() })
    .optional(),
  request: z.looseObject({ operatorRequestReference: text(35) }).optional(),
  error: z
    .array(
      z.looseObject({
        errorType: jsonNumber(/^[0-9]{1,2}$/, "expected an integer of 2 digits at most").optional(),
        errorCode: text(10).optional(),
        errorPointer: text(210).optional(),
        errorDescription: text(350).optional(),
      }),
    )
    .max(999),
});
