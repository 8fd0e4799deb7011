import { randomUUID } from "node:crypto";

/**
 * Realistic DELTA H7 callbacks (../shared/douane/H7-CALLBACKS.md), each with a fresh messageId in Douane's
 * form (a UUID then a 10-digit epoch). Bodies are rendered from pre-serialised templates by string
 * concatenation, so the 600 KB Error_H7 costs the load generator a copy, not a JSON.stringify.
 */

export interface Callback {
  path: string;
  body: Buffer;
}

export interface Mix {
  name: string;
  /** Share of requests that resend a callback already sent, byte for byte (Douane retrying). */
  duplicateShare: number;
}

export const MIXES: Mix[] = [
  { name: "unique", duplicateShare: 0 },
  { name: "dup20", duplicateShare: 0.2 },
];

/** MDT: Douane's header.messageDateTime (a Java ZonedDateTime); STATE: declarationState.state. */
export type Slot = "MID" | "REF" | "LRN" | "MRN" | "OPR" | "MDT" | "STATE";
export type Render = (values: Record<Slot, string>) => string;

/** Splits a JSON text on its @SLOT@ markers once; rendering is then a join. */
function template(message: unknown): Render {
  const parts = JSON.stringify(message).split(/@(MID|REF|LRN|MRN|OPR|MDT|STATE)@/);
  return (values) => {
    let out = parts[0];
    for (let i = 1; i < parts.length; i += 2) out += values[parts[i] as Slot] + parts[i + 1];
    return out;
  };
}

const zoned = "2026-11-24T10:15:00+01:00[Europe/Paris]";

// The templates below are also the bodies of the query phase's stored rows (stored.ts).
export const responseH7 = (items: number) =>
  template({
    header: {
      messageDateTime: "@MDT@",
      messageId: "@MID@",
      lrn: "@LRN@",
      customsDeclarationReference: "@REF@",
      mrn: "@MRN@",
    },
    declarationState: { state: "@STATE@", stateDateTime: "@MDT@", event: "Déclaration acceptée" },
    dutiesAndTaxes: {
      generalTaxation: { guaranteedAmount: 0, unguaranteedAmount: 12.5 * items, totalPayableTaxAmount: 13 * items },
      itemsTaxation: Array.from({ length: items }, (_, i) => ({
        itemNumber: i + 1,
        nationalTaxCode: "B00A",
        taxBase: 120.4 + i,
      })),
    },
  });

export const registrationH7 = (declarations: number) =>
  template({
    header: { messageDateTime: "@MDT@", messageId: "@MID@", operatorRequestReference: "@OPR@" },
    request: { customsRequestReference: "@REF@", requestRegistrationDateTime: "@MDT@" },
    declarations: Array.from({ length: declarations }, (_, i) => ({
      lrn: `@LRN@-${i}`,
      customsDeclarationReference: `@REF@${i}`,
      mrn: "@MRN@",
    })),
  });

const errorDescription =
  "Le LRN saisi ne doit pas correspondre à celui d'une autre déclaration déjà déposée par le même opérateur. ";
export const errorH7 = (errors: number, padded: boolean) =>
  template({
    header: { messageDateTime: "@MDT@", messageId: "@MID@" },
    declaration: { lrn: "@LRN@", customsDeclarationReference: "@REF@", mrn: "@MRN@" },
    request: { operatorRequestReference: "@OPR@" },
    error: Array.from({ length: errors }, (_, i) => ({
      errorType: 15,
      errorCode: `H7_NAT_${String(i % 1000).padStart(3, "0")}`,
      errorPointer: padded
        ? `goodsShipment.governmentAgencyGoodsItem[${i}].commodity.description`.padEnd(200, ".x")
        : "lrn",
      errorDescription: padded ? errorDescription.repeat(3).slice(0, 350) : errorDescription.trim(),
    })),
  });

interface Kind {
  share: number;
  path: (values: Record<Slot, string>) => string;
  renders: Render[];
}

// Shares of the three channels; 1 % of requests are Error_H7 with 999 errors (about 600 KB).
const KINDS: Kind[] = [
  { share: 0.45, path: (v) => `/dh7/declarations/${v.REF}/reponses`, renders: [1, 3, 12].map(responseH7) },
  { share: 0.25, path: (v) => `/dh7/demandes/${v.REF}/enregistrement`, renders: [1, 2, 5].map(registrationH7) },
  { share: 0.29, path: () => "/dh7/declarations/erreurs", renders: [1, 2, 4].map((n) => errorH7(n, false)) },
  { share: 0.01, path: () => "/dh7/declarations/erreurs", renders: [errorH7(999, true)] },
];

/** A deterministic stream of callbacks for one mix: same seed, same sequence of kinds and duplicates. */
export function callbackStream(mix: Mix, seed: number): () => Callback {
  const random = mulberry32(seed);
  const sent: Callback[] = [];
  const RECENT = 2048;
  let counter = 0;
  return () => {
    if (sent.length > 0 && random() < mix.duplicateShare) return sent[Math.floor(random() * sent.length)];
    const callback = fresh(pick(random), random, ++counter);
    if (sent.length < RECENT) sent.push(callback);
    else sent[counter % RECENT] = callback;
    return callback;
  };
}

function pick(random: () => number): Kind {
  let r = random();
  for (const kind of KINDS) if ((r -= kind.share) < 0) return kind;
  return KINDS[0];
}

function fresh(kind: Kind, random: () => number, n: number): Callback {
  const serial = String(n).padStart(10, "0");
  const values: Record<Slot, string> = {
    MID: `${randomUUID()}${Math.floor(Date.now() / 1000)}`,
    REF: `26${process.pid % 100}${serial}`.slice(0, 22),
    LRN: `LRN${serial}`,
    MRN: `26FR${serial}${String(process.pid).padStart(4, "0").slice(-4)}`,
    OPR: `OP-${serial}`,
    MDT: zoned,
    STATE: "ACC",
  };
  const render = kind.renders[Math.floor(random() * kind.renders.length)];
  return { path: kind.path(values), body: Buffer.from(render(values)) };
}

/** A small seeded PRNG: the same seed gives the same sequence, so runs are comparable. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
