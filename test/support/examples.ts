/** The examples of ../shared/douane/H7-CALLBACKS.md, as Douane would send them, with a fresh messageId on demand. */

export const errorH7Example = {
  header: {
    messageDateTime: "2020-06-12T05:36:30-05:00[US/Central]",
    messageId: "b6c9f124-4a83-4003-bcc9-1bce1798c2ab1591712615",
  },
  declaration: { lrn: "TEST123456", customsDeclarationReference: "228231995374", mrn: "15FR9876AB889012B5" },
  request: { operatorRequestReference: "TEST123456" },
  error: [
    {
      errorType: 15,
      errorCode: "H7_NAT_000",
      errorPointer: "lrn",
      errorDescription: "Le LRN saisi ne doit pas correspondre à celui d'u…",
    },
  ],
};

export const registrationH7Example = {
  header: {
    messageDateTime: "2014-04-12T03:30:30-05:00[US/Central]",
    messageId: "FR42198531800045",
    operatorRequestReference: "OP1234",
  },
  request: { customsRequestReference: "", requestRegistrationDateTime: "2014-04-12T03:30:30-05:00[US/Central]" },
  declarations: [{ lrn: "123456", customsDeclarationReference: "2282319", mrn: "19FR091000000064A2" }],
};

/** The spec gives D1's field tree but no example: this one follows it, with an unpublished item field. */
export const responseH7Example = {
  header: {
    messageDateTime: "2021-03-01T10:15:00+01:00[Europe/Paris]",
    messageId: "0f8fad5b-d9cb-469f-a165-70867728950e1614590100",
    lrn: "LRN2021000001",
    customsDeclarationReference: "228231995374",
    mrn: "21FR000000012345A1",
  },
  declarationState: {
    state: "ACC",
    stateDateTime: "2021-03-01T10:14:58+01:00[Europe/Paris]",
    event: "Déclaration acceptée",
  },
  dutiesAndTaxes: {
    generalTaxation: { guaranteedAmount: 0, unguaranteedAmount: 12.5, totalPayableTaxAmount: 13 },
    itemsTaxation: [{ itemNumber: 1, nationalTaxCode: "B00A", taxBase: 120.4 }],
  },
};

let counter = 0;
/** A copy of `message` with its own messageId. */
export function withMessageId<T extends { header: object }>(
  message: T,
  messageId = `test-${process.pid}-${Date.now()}-${++counter}`,
): T {
  return { ...message, header: { ...message.header, messageId } };
}

export const paths = {
  response: (reference = "228231995374") => `/dh7/declarations/${reference}/reponses`,
  registration: (reference = "") => `/dh7/demandes/${reference || "REQ0001"}/enregistrement`,
  error: "/dh7/declarations/erreurs",
};
