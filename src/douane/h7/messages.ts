import { z } from "zod";
import { parseZonedDateTime } from "../datetime";

/**
 * Zod schemas of the DELTA H7 messages Douane sends (../shared/douane/H7-CALLBACKS.md, spec 0.3.0).
 * Objects are loose: the published specs are incomplete (D1 item tail, D4, D5), so an unknown field is
 * never a reason to refuse a message. The raw body is stored anyway, byte for byte.
 */

const text = (max: number) => z.string().max(max);
const dateTime = z.string().refine((value) => parseZonedDateTime(value) !== null, {
  message: "expected a date-time like 2014-04-12T03:30:30-05:00[US/Central], in years 0001 to 9999 (UTC)",
});
const mrnStrict = z.string().regex(/^[0-9a-zA-Z]{18}$/, "expected 18 letters or digits");
const amountPattern = /^(([0-9]{1,14}\.[0-9]{1,2})|([0-9]{1,15}\.[0-9])|([0-9]{1,16}))$/;
const amount = z.number().refine((value) => amountPattern.test(String(value)), {
  message: "expected an amount with at most 16 digits and 2 decimals",
});

export const messageHeader = z.looseObject({
  messageDateTime: dateTime,
  messageId: z.string().min(1).max(291),
});

export const responseH7 = z.looseObject({
  header: messageHeader.extend({
    lrn: text(22),
    customsDeclarationReference: text(22),
    mrn: mrnStrict.optional(), // absent while the declaration is pre-lodged
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
      .array(z.looseObject({ itemNumber: z.number().int().min(0).max(99999), nationalTaxCode: z.string().length(4).optional() }))
      .max(99)
      .optional(),
  }),
});

export const responseRegistrationH7 = z.looseObject({
  header: messageHeader.extend({ operatorRequestReference: text(35) }),
  request: z
    .looseObject({
      customsRequestReference: text(22), // the spec's own example sends ""
      requestRegistrationDateTime: dateTime,
    })
    .optional(),
  declarations: z
    .array(z.looseObject({ lrn: text(22), customsDeclarationReference: text(22), mrn: z.string().length(18) }))
    .max(99),
});

export const errorH7 = z.looseObject({
  header: messageHeader,
  declaration: z
    .looseObject({ lrn: text(22), customsDeclarationReference: text(22).optional(), mrn: mrnStrict.optional() })
    .optional(),
  request: z.looseObject({ operatorRequestReference: text(35) }).optional(),
  error: z
    .array(
      z.looseObject({
        errorType: z.number().int().min(0).max(99).optional(),
        errorCode: text(10).optional(),
        errorPointer: text(210).optional(),
        errorDescription: text(350).optional(),
      }),
    )
    .max(999),
});

/** D4 and D5 paths are not public: whatever arrives elsewhere must at least carry the common header. */
export const unknownH7 = z.looseObject({ header: messageHeader });

export type ResponseH7 = z.infer<typeof responseH7>;
export type ResponseRegistrationH7 = z.infer<typeof responseRegistrationH7>;
export type ErrorH7 = z.infer<typeof errorH7>;
