import { z } from "zod";
import { defineRoute, type RouteDefinition } from "../http/routes";
import { isoInstant } from "../messages/views";
import type { StatusReport } from "./report";

const warning = z.object({ tokenId: z.number(), fingerprint: z.string(), code: z.string(), message: z.string() });
const token = z.object({ id: z.number(), fingerprint: z.string(), status: z.string(), expiresAt: isoInstant.nullable(), lastSeenAt: isoInstant.nullable() });
const IN_FORCE = ["active", "pending", "retiring"];

/** GET /v1/apis: what `status` shows, per API. */
export function statusRoutes(report: () => Promise<StatusReport>): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/apis",
      summary: "Each API: base path, tokens in force, a portal-like status (green, yellow, red) with its warnings, the last callback per channel and the quarantine waiting",
      tag: "tokens",
      response: z.object({
        items: z.array(z.object({
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
          quarantineWarning: z.string().nullable().describe("set when the quarantine nears QUARANTINE_BUDGET_BYTES"),
        })),
        quarantine: z.object({ bytes: z.number(), budgetBytes: z.number(), nearBudget: z.boolean() }),
      }),
      handler: async () => {
        const { items, quarantine } = await report();
        return {
          // The response schema keeps only a token's public columns.
          items: items.map((item) => ({ ...item, tokens: item.tokens.filter((candidate) => IN_FORCE.includes(candidate.status)) })),
          quarantine,
        };
      },
    }),
  ];
}
