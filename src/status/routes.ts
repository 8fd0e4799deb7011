import { z } from "zod";
import { basePathView } from "../basepaths/routes";
import { defineRoute, type RouteDefinition } from "../http/routes";
import { isoInstant } from "../messages/views";
import { isRetired } from "../tokens/status";
import type { StatusReport } from "./report";

/** About one of the API's tokens, or (tokenId null) about its base paths during a URL move. */
const warning = z.object({
  tokenId: z.number().nullable(),
  fingerprint: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});
const deliveryWarning = z.object({
  destinationId: z.number(),
  url: z.string(),
  failingSince: isoInstant,
  message: z.string(),
});
const token = z.object({
  id: z.number(),
  fingerprint: z.string(),
  status: z.string(),
  expiresAt: isoInstant.nullable(),
  lastSeenAt: isoInstant.nullable(),
});

/** GET /v1/apis: what `status` shows, per API. */
export function statusRoutes(report: () => Promise<StatusReport>): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/apis",
      summary:
        "Each API: base path, tokens in force, a portal-like status (green, yellow, red) with its warnings, the last callback per channel and the quarantine waiting",
      tag: "tokens",
      response: z.object({
        items: z.array(
          z.object({
            api: z.string(),
            basePath: z.string(),
            authHeader: z.string(),
            status: z.enum(["green", "yellow", "red"]),
            warnings: z.array(warning),
            tokens: z.array(token),
            usableTokens: z.number(),
            lastCallbackAt: isoInstant.nullable().describe("the latest arrival of a stored message (max receivedAt)"),
            lastCallbackByChannel: z.record(z.string(), isoInstant.nullable()),
            quarantinedOpen: z.number().describe("quarantined bodies waiting for a decision"),
            overdueExpectations: z.number().describe("Douane returns expected and overdue (docs/outbound.md)"),
            quarantineWarning: z.string().nullable().describe("set when the quarantine nears QUARANTINE_BUDGET_BYTES"),
            deliveryWarnings: z
              .array(deliveryWarning)
              .describe("destinations of this API's messages failing for over 15 minutes"),
            basePaths: z
              .array(basePathView)
              .describe(
                "current, previous (during a URL move) and retired base paths, with Douane's last call on each",
              ),
          }),
        ),
        quarantine: z.object({ bytes: z.number(), budgetBytes: z.number(), nearBudget: z.boolean() }),
      }),
      handler: async () => {
        const { items, quarantine } = await report();
        return {
          // The response schema keeps only a token's public columns.
          items: items.map((item) => ({
            ...item,
            tokens: item.tokens.filter((candidate) => !isRetired(candidate.status)),
          })),
          quarantine,
        };
      },
    }),
  ];
}
