import { z } from "zod";

/** The JSON shapes of the internal API's answers. Dates leave as ISO 8601 instants; raw bodies never leave as
 *  JSON (only through the `/raw` routes, byte for byte). */

export const isoInstant = z.codec(z.date(), z.iso.datetime(), {
  decode: (date) => date.toISOString(),
  encode: (text) => new Date(text),
});

/** Douane's own instant as stored: null when no ISO 8601 instant can carry it (a year past 9999 stored by an older
 *  version, or a date SQLite cannot read back), so that one row never makes a read fail; messageDateTimeRaw still
 *  holds what Douane wrote. */
const storedInstant = z.codec(
  z.custom<Date>((value) => value instanceof Date).nullable(),
  z.iso.datetime().nullable(),
  {
    decode: (date) => (date !== null && isIsoYear(date) ? date.toISOString() : null),
    encode: (text) => (text === null ? null : new Date(text)),
  },
);

const isIsoYear = (date: Date) =>
  !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 0 && date.getUTCFullYear() <= 9999;

const finding = z.object({ path: z.string(), message: z.string(), severity: z.string() });
export const headers = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const messageSummary = z.object({
  id: z.number(),
  api: z.string(),
  channel: z.string(),
  messageId: z.string(),
  receivedAt: isoInstant,
  validation: z.string().describe("valid | invalid | unchecked (a path no channel knows: nothing was checked)"),
  lrn: z
    .string()
    .nullable()
    .describe("of the first declaration the message names (all of them: GET /v1/messages/{id})"),
  mrn: z.string().nullable().describe("of the first declaration the message names"),
  customsDeclarationReference: z.string().nullable().describe("of the first declaration the message names"),
  customsRequestReference: z.string().nullable(),
  operatorRequestReference: z.string().nullable(),
  state: z.string().nullable(),
  messageDateTime: storedInstant.describe(
    "Douane's header.messageDateTime as an instant (null when it has none in years 0001–9999)",
  ),
  messageDateTimeRaw: z.string().nullable().describe("header.messageDateTime as Douane wrote it (Java ZonedDateTime)"),
  tokenId: z.number().nullable(),
  contentType: z.string(),
  bodySha256: z.string(),
  acceptedBy: z.string().nullable().describe("set when the message was accepted by hand from quarantine"),
});

export const messageDetail = messageSummary.extend({
  findings: z.array(finding),
  pathParams: z.record(z.string(), z.string()),
  headers,
  acceptedReason: z.string().nullable(),
  quarantineId: z.number().nullable(),
  simulated: z.boolean().describe("sent by the simulator (X-Simulated: true), not by Douane"),
  declarations: z
    .array(
      z.object({
        lrn: z.string().nullable(),
        customsDeclarationReference: z.string().nullable(),
        mrn: z.string().nullable(),
      }),
    )
    .describe("every declaration the message names, in its order (a registration names up to 99)"),
  payload: z
    .unknown()
    .describe("the body parsed as JSON, every number with the digits Douane sent; null when it is not JSON (see /raw)"),
});

export const messagePage = z.object({ items: z.array(messageSummary), nextCursor: z.string().nullable() });

export const declarationTimeline = z.object({
  customsDeclarationReference: z.string(),
  state: z.string().nullable().describe("state of the last message, in messageDateTime order, that carries one"),
  lrn: z.string().nullable(),
  mrn: z.string().nullable(),
  messages: z.array(messageSummary).describe("every message about the declaration, in Douane's messageDateTime order"),
});

/** The columns of a summary: never rawBody, which may weigh megabytes. */
export const summaryColumns = {
  id: true,
  api: true,
  channel: true,
  messageId: true,
  receivedAt: true,
  validation: true,
  lrn: true,
  mrn: true,
  customsDeclarationReference: true,
  customsRequestReference: true,
  operatorRequestReference: true,
  state: true,
  messageDateTime: true,
  messageDateTimeRaw: true,
  tokenId: true,
  contentType: true,
  bodySha256: true,
  acceptedBy: true,
} as const;
