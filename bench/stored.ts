// The rows the query phase seeds: what the receiver holds after weeks of DELTA H7 traffic, as one deterministic
// stream in arrival order (ids follow receivedAt), so the 10k database is the first 10k rows of the 1M one.
// Bodies are the intake's templates (bodies.ts); the search keys are those the service would extract from them,
// every declaration a message names included (a registration names 1 to 99).
import { createHash } from "node:crypto";
import { errorH7, mulberry32, type Render, registrationH7, responseH7, type Slot } from "./bodies";
import { TimeQueue } from "./time-queue";

/** A Message row, in the column order of STORED_COLUMNS. */
export interface StoredMessage {
  api: string;
  channel: string;
  messageId: string;
  pathParams: string;
  rawBody: Buffer;
  bodySha256: string;
  contentType: string;
  headers: string;
  receivedAt: Date;
  tokenId: number;
  validation: "valid" | "invalid";
  findings: string;
  lrn: string;
  mrn: string;
  customsDeclarationReference: string;
  customsRequestReference: string | null;
  operatorRequestReference: string | null;
  state: string | null;
  messageDateTime: Date;
  messageDateTimeRaw: string;
  /** Every declaration the body names, for MessageDeclaration (not a Message column). */
  declarations: NamedDeclaration[];
}

export interface NamedDeclaration {
  lrn: string;
  customsDeclarationReference: string;
  mrn: string;
}

export const STORED_COLUMNS = [
  "api",
  "channel",
  "messageId",
  "pathParams",
  "rawBody",
  "bodySha256",
  "contentType",
  "headers",
  "receivedAt",
  "tokenId",
  "validation",
  "findings",
  "lrn",
  "mrn",
  "customsDeclarationReference",
  "customsRequestReference",
  "operatorRequestReference",
  "state",
  "messageDateTime",
  "messageDateTimeRaw",
] as const satisfies readonly (keyof StoredMessage)[];

/** The second filter the query phase times: few enough rows (about 2 %) that one page spans many. */
export const REJECTED = { state: "REJ", channel: "declaration_response" } as const;

interface Declaration {
  ref: string;
  lrn: string;
  mrn: string;
  opr: string;
  requestRef: string;
}
type Kind = "registration" | "response" | "error" | "unknown";
interface Pending {
  at: number;
  kind: Kind;
  declaration: Declaration;
  state: string | null;
  declarations: number;
}

const START = Date.UTC(2026, 8, 26); // 60 days before the intake's dates: 1M rows at about 16,700 a day
// Mean; a request declares 1 to 4 parcels (97 %) or 5 to 99 (3 %): 3.3 on average, each about 2.9 messages.
const REQUEST_EVERY_MS = 45_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const RENDERS: Record<Kind, Render[]> = {
  response: [1, 2].map(responseH7),
  unknown: [1].map(responseH7), // D4/D5 (invalidation, amendment) answers: unpublished paths, Response_H7-like bodies
  registration: Array.from({ length: 99 }, (_, i) => registrationH7(i + 1)), // by the request's number of declarations
  error: [1, 2].map((n) => errorH7(n, false)),
};

/** Rows one after another, for ever; the same seed gives the same rows. */
export function storedMessages(seed = 6): () => StoredMessage {
  const random = mulberry32(seed);
  const between = (low: number, high: number) => low + random() * (high - low);
  const queue = new TimeQueue<Pending>(); // the answers scheduled and not yet received
  let nextRequestAt = START;
  let requests = 0;

  // One request's whole life is scheduled when it is declared: Douane's answers then arrive interleaved with others'.
  const declare = (at: number) => {
    const serial = String(++requests).padStart(8, "0");
    const count =
      random() < 0.03 ? 5 + Math.floor(random() * 95) : 1 + [0.5, 0.75, 0.9].filter((step) => random() > step).length;
    const requestRef = `2611${serial}`;
    const declarations = Array.from(
      { length: count },
      (_, i): Declaration => ({
        ref: `${requestRef}${i}`,
        lrn: `SHP26-${serial}-${i}`,
        mrn: `26FR${serial}${String(i).padStart(6, "0")}`,
        opr: `OPR-${serial}`,
        requestRef,
      }),
    );
    queue.push({
      at: at + between(5_000, 60_000),
      kind: "registration",
      declaration: declarations[0],
      state: null,
      declarations: count,
    });
    for (const declaration of declarations) {
      const answer = (kind: Kind, state: string | null, when: number) =>
        queue.push({ at: when, kind, declaration, state, declarations: 1 });
      if (random() < 0.07) {
        answer("error", null, at + between(10_000, 5 * MINUTE));
        continue;
      }
      const accepted = at + between(MINUTE, 15 * MINUTE);
      answer("response", "ACC", accepted);
      const fate = random();
      if (fate < 0.012) {
        // Controls and amendments back and forth: 10 to 50 more messages within half a day.
        const more = Math.floor(between(10, 51));
        for (let i = 0; i < more; i++) {
          const when = accepted + between(MINUTE, 12 * HOUR);
          if (random() < 0.2) answer("unknown", "ACC", when);
          else answer("response", ["CTL", "ACC", "BAE"][Math.floor(random() * 3)], when);
        }
      } else if (fate < 0.8) {
        answer("response", "BAE", accepted + between(10 * MINUTE, 4 * HOUR));
      } else if (fate < 0.92) {
        const controlled = accepted + between(15 * MINUTE, HOUR);
        answer("response", "CTL", controlled);
        answer("response", random() < 0.8 ? "BAE" : "REJ", controlled + between(2 * HOUR, DAY));
      } else if (fate < 0.97) {
        answer("response", "REJ", accepted + between(5 * MINUTE, HOUR));
      } else {
        const released = accepted + between(10 * MINUTE, 4 * HOUR);
        answer("response", "BAE", released);
        answer("unknown", "INV", released + between(DAY, 3 * DAY));
      }
    }
  };

  return () => {
    while (queue.size === 0 || queue.peek().at > nextRequestAt) {
      declare(nextRequestAt);
      nextRequestAt += -Math.log(1 - random()) * REQUEST_EVERY_MS;
    }
    return rowOf(queue.pop(), random);
  };
}

// What a reverse proxy passes on from Douane's Java client, credentials removed (as the service stores them).
const [HEADERS_BEFORE_LENGTH, HEADERS_AFTER_LENGTH] = JSON.stringify({
  host: "douane.operator.example",
  "user-agent": "Apache-HttpClient/4.5.14 (Java/17.0.9)",
  "content-type": "application/json",
  "content-length": "@",
  "x-forwarded-for": "185.24.184.10",
  "x-forwarded-proto": "https",
}).split('"@"');
const UUID_BYTES = Buffer.alloc(16);
const CHANNELS: Record<Kind, string> = {
  registration: "request_registration",
  response: "declaration_response",
  error: "declaration_error",
  unknown: "unknown",
};

function rowOf(pending: Pending, random: () => number): StoredMessage {
  const { kind, declaration: d, state } = pending;
  const receivedAt = new Date(Math.floor(pending.at));
  // Douane issued it a few seconds before it arrived; its text has whole seconds.
  const messageDateTime = new Date(Math.floor((receivedAt.getTime() - 500 - random() * 4_500) / 1000) * 1000);
  for (let i = 0; i < 16; i += 4) UUID_BYTES.writeUInt32BE(Math.floor(random() * 2 ** 32), i);
  const hex = UUID_BYTES.toString("hex");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  const values: Record<Slot, string> = {
    MID: `${uuid}${Math.floor(messageDateTime.getTime() / 1000)}`,
    REF: kind === "registration" ? d.requestRef : d.ref,
    LRN: kind === "registration" ? d.lrn.replace(/-0$/, "") : d.lrn,
    MRN: d.mrn,
    OPR: d.opr,
    MDT: parisZoned(messageDateTime),
    STATE: state ?? "",
  };
  const renders = RENDERS[kind];
  const render =
    kind === "registration" ? renders[pending.declarations - 1] : renders[Math.floor(random() * renders.length)];
  const rawBody = Buffer.from(render(values));
  const invalid = random() < 0.02;
  return {
    api: "h7",
    channel: CHANNELS[kind],
    messageId: values.MID,
    pathParams: JSON.stringify(pathParamsOf(kind, d)),
    rawBody,
    bodySha256: createHash("sha256").update(rawBody).digest("hex"),
    contentType: "application/json",
    headers: `${HEADERS_BEFORE_LENGTH}"${rawBody.length}"${HEADERS_AFTER_LENGTH}`,
    receivedAt,
    tokenId: receivedAt.getTime() < START + 30 * DAY ? 1 : 2, // a rotation half way
    validation: invalid ? "invalid" : "valid",
    findings: invalid
      ? JSON.stringify([{ path: "header.messageDateTime", message: "Invalid input", severity: "error" }])
      : "[]",
    lrn: d.lrn,
    mrn: d.mrn,
    customsDeclarationReference: d.ref,
    customsRequestReference: kind === "registration" ? d.requestRef : null,
    operatorRequestReference: kind === "registration" || kind === "error" ? d.opr : null,
    state: kind === "response" || kind === "unknown" ? state : null,
    messageDateTime,
    messageDateTimeRaw: values.MDT,
    declarations:
      kind === "registration"
        ? Array.from({ length: pending.declarations }, (_, i) => ({
            lrn: `${values.LRN}-${i}`,
            customsDeclarationReference: `${values.REF}${i}`,
            mrn: values.MRN,
          }))
        : [{ lrn: d.lrn, customsDeclarationReference: d.ref, mrn: d.mrn }],
  };
}

function pathParamsOf(kind: Kind, d: Declaration): Record<string, string> {
  if (kind === "registration") return { customsRequestReference: d.requestRef };
  if (kind === "response") return { customsDeclarationReference: d.ref };
  if (kind === "unknown") return { path: `/declarations/${d.ref}/invalidation/reponses` };
  return {};
}

/** Java's ZonedDateTime text in Europe/Paris (summer time until the last Sunday of October, 01:00 UTC). */
function parisZoned(instant: Date): string {
  const year = instant.getUTCFullYear();
  let summer = SUMMERS.get(year);
  if (!summer) SUMMERS.set(year, (summer = [lastSundayOf(year, 2), lastSundayOf(year, 9)]));
  const hours = instant.getTime() >= summer[0] && instant.getTime() < summer[1] ? 2 : 1;
  const local = new Date(instant.getTime() + hours * HOUR).toISOString().slice(0, 19);
  return `${local}+0${hours}:00[Europe/Paris]`;
}

const SUMMERS = new Map<number, [number, number]>();

/** 01:00 UTC on the last Sunday of `month` (0-based). */
function lastSundayOf(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0, 1));
  return last.getTime() - last.getUTCDay() * DAY;
}
