import {
  amountOf,
  customsDeclarationReferenceOf,
  customsRequestReferenceOf,
  euroAmountOf,
  javaDateTimeOf,
  lrnOf,
  messageIdOf,
  mrnOf,
  operatorRequestReferenceOf,
} from "./identifiers";
import type { Random } from "./random";
import { declarationEvents, functionalErrors, nationalTaxCodes, technicalErrors } from "./texts";

export const simulatedChannels = ["declaration_response", "request_registration", "declaration_error"] as const;
export type SimulatedChannel = (typeof simulatedChannels)[number];

// Bodies are plain JSON built here and mutated by invalid.ts: `any` keeps that readable.
export type Json = Record<string, any>;

/** One callback as Douane would send it: the path under the base path, and the body. */
export interface Callback {
  channel: SimulatedChannel;
  path: string;
  body: Json;
}

export interface GenerateOptions {
  /** When Douane "sends" it: messageDateTime and the messageId's epoch. */
  at: Date;
  /** Error_H7 holds up to 999 errors. */
  maxErrors: number;
}

/** A spec-true H7 callback of `channel` (../shared/douane/H7-CALLBACKS.md, 0.3.0). Pure. */
export function generateCallback(random: Random, channel: SimulatedChannel, options: GenerateOptions): Callback {
  const { at } = options;
  const header = { messageDateTime: javaDateTimeOf(at), messageId: messageIdOf(random, at) };
  const earlier = (seconds: number) => javaDateTimeOf(new Date(at.getTime() - random.int(1, seconds) * 1000));
  switch (channel) {
    case "declaration_response": {
      const customsDeclarationReference = customsDeclarationReferenceOf(random);
      const preLodged = random.chance(0.1); // no MRN yet
      const { state, event } = random.pick(declarationEvents);
      const body = {
        header: {
          ...header,
          lrn: lrnOf(random, at),
          customsDeclarationReference,
          ...(preLodged ? {} : { mrn: mrnOf(random, at) }),
        },
        declarationState: { state, stateDateTime: earlier(120), event },
        dutiesAndTaxes: random.chance(0.15) ? {} : taxesOf(random), // relief from taxation: both parts absent
      };
      return { channel, path: `/declarations/${customsDeclarationReference}/reponses`, body };
    }
    case "request_registration": {
      const customsRequestReference = customsRequestReferenceOf(random);
      const declarations = Array.from({ length: random.chance(0.8) ? 1 : random.int(2, 99) }, () => ({
        lrn: lrnOf(random, at),
        customsDeclarationReference: customsDeclarationReferenceOf(random),
        mrn: mrnOf(random, at),
      }));
      const body = {
        header: { ...header, operatorRequestReference: operatorRequestReferenceOf(random, at) },
        request: { customsRequestReference, requestRegistrationDateTime: earlier(60) },
        declarations,
      };
      return { channel, path: `/demandes/${customsRequestReference}/enregistrement`, body };
    }
    case "declaration_error": {
      const registered = random.chance(0.7);
      const lrn = lrnOf(random, at);
      const body = {
        header,
        declaration: {
          lrn,
          ...(registered
            ? { customsDeclarationReference: customsDeclarationReferenceOf(random), mrn: mrnOf(random, at) }
            : {}),
        },
        request: { operatorRequestReference: operatorRequestReferenceOf(random, at) },
        error: errorsOf(random, errorCountOf(random, options.maxErrors)),
      };
      return { channel, path: "/declarations/erreurs", body };
    }
  }
}

function taxesOf(random: Random): Json {
  const items = Array.from({ length: random.int(1, 5) }, (_, i) => ({
    itemNumber: i + 1,
    nationalTaxCode: random.pick(nationalTaxCodes),
    taxBase: amountOf(random, 150), // per-item fields beyond itemNumber are not public: kept plausible
  }));
  const guaranteedAmount = euroAmountOf(random, 20);
  const unguaranteedAmount = euroAmountOf(random, 60);
  return {
    generalTaxation: {
      guaranteedAmount,
      unguaranteedAmount,
      totalPayableTaxAmount: guaranteedAmount + unguaranteedAmount,
    },
    itemsTaxation: items,
  };
}

/** Mostly one to three errors; now and then a long list, up to `maxErrors` (Douane's limit is 999). */
function errorCountOf(random: Random, maxErrors: number): number {
  const cap = Math.max(1, Math.min(999, maxErrors));
  return random.chance(0.05) ? random.int(1, cap) : random.int(1, Math.min(3, cap));
}

export function errorsOf(random: Random, count: number): Json[] {
  return Array.from({ length: count }, () => {
    if (random.chance(0.1)) return { errorDescription: random.pick(technicalErrors) };
    const error = random.pick(functionalErrors);
    return { ...error, errorPointer: error.errorPointer.replace("{item}", String(random.int(0, 98))) };
  });
}
