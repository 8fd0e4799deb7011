import { z } from "zod";
import { headers, isoInstant } from "../messages/views";

/** The JSON shapes of the quarantine's answers; raw bodies leave only through `/raw`, byte for byte. */

const quarantineSummary = z.object({
  id: z.number(),
  api: z.string(),
  channel: z.string(),
  reason: z.string(),
  messageId: z.string().nullable(),
  receivedAt: isoInstant,
  contentType: z.string(),
  bodySha256: z.string(),
  tokenId: z.number().nullable(),
  acceptedAt: isoInstant.nullable(),
  acceptedBy: z.string().nullable(),
  messageRowId: z.number().nullable().describe("the message created when it was accepted"),
  dismissedAt: isoInstant
    .nullable()
    .describe("closed without storing it: by a person, or superseded by a later valid re-send"),
  dismissedBy: z.string().nullable().describe("who dismissed it (system: superseded)"),
  dismissedReason: z.string().nullable(),
  seenCount: z.number().describe("arrivals of this exact body (same bytes, reason, api and channel) while open"),
  lastSeenAt: isoInstant.nullable().describe("the latest of those arrivals; null when it came once"),
  bodyBytes: z.number().describe("bytes kept (0 when too large to be kept)"),
});

export const quarantineDetail = quarantineSummary.extend({
  pathParams: z.record(z.string(), z.string()),
  headers,
  detail: z.unknown().describe("what was wrong with the body"),
});

export const quarantinePage = z.object({ items: z.array(quarantineSummary), nextCursor: z.string().nullable() });

export const quarantineColumns = {
  id: true,
  api: true,
  channel: true,
  reason: true,
  messageId: true,
  receivedAt: true,
  contentType: true,
  bodySha256: true,
  tokenId: true,
  acceptedAt: true,
  acceptedBy: true,
  messageRowId: true,
  dismissedAt: true,
  dismissedBy: true,
  dismissedReason: true,
  seenCount: true,
  lastSeenAt: true,
  bodyBytes: true,
} as const;
