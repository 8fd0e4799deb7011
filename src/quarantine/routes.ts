import { z } from "zod";
import type { Db } from "../db/client";
import { stringifyExact } from "../douane/numbers";
import { atMostCodePoints } from "../douane/text";
import { errors } from "../http/error-catalog";
import { sendRawBody } from "../http/raw-body";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { cursorParameter, limitParameter, queryParameters } from "../messages/paging";
import { findMessage } from "../messages/queries";
import { quarantineReasons } from "../messages/records";
import { messageDetail } from "../messages/views";
import { type AcceptHook, acceptQuarantined } from "./accept";
import { explainRefusal } from "./outcomes";
import { findQuarantined, findQuarantinedRawBody, listQuarantine, quarantineStates } from "./queries";
import { dismissQuarantined } from "./store";
import { quarantineDetail, quarantinePage } from "./views";

/** The query of GET /v1/quarantine; the CLI's `quarantine list` takes the same filters. */
export const quarantineQuery = queryParameters({
  reason: z.enum(quarantineReasons).optional(),
  state: z.enum(quarantineStates).optional().describe("open (waiting for a decision) | accepted | dismissed"),
  limit: limitParameter,
  cursor: cursorParameter("quarantine"),
});

const acceptBody = z.object({
  reason: z.string().trim().min(1).max(1000).describe("why this body is stored anyway (kept on the message)"),
  messageId: z
    .string()
    .min(1)
    .refine((value) => atMostCodePoints(value, 291), { message: "expected at most 291 characters" })
    .optional()
    .describe("only for a body without header.messageId"),
});

const dismissBody = z.object({
  reason: z.string().trim().min(1).max(1000).describe("why this body needs no message (kept on the row)"),
});

/** Internal routes over quarantined bodies: what Douane sent that we refused, and accepting one by hand. */
export function quarantineRoutes(
  db: Db,
  onAccepted: AcceptHook,
  clock: () => Date = () => new Date(),
): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/quarantine",
      summary: "Quarantined bodies, newest first, by reason; the same keyset pages as /v1/messages",
      tag: "quarantine",
      query: quarantineQuery,
      response: quarantinePage,
      handler: async ({ query: { limit, cursor, ...filters } }) => listQuarantine(db, filters, { limit, cursor }),
    }),
    defineRoute({
      method: "get",
      path: "/v1/quarantine/:id",
      summary:
        "One quarantined body's metadata: why it was refused, how often it came, and whether it was accepted or dismissed since",
      tag: "quarantine",
      params: idParams,
      response: quarantineDetail,
      errors: [404],
      handler: async ({ params }) => {
        const row = await findQuarantined(db, params.id);
        if (!row) throw notFound(params.id);
        return row;
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/quarantine/:id/raw",
      summary: "The exact bytes of a quarantined body, with the content type they came with (empty when too large)",
      tag: "quarantine",
      params: idParams,
      produces: "*/*",
      errors: [404],
      handler: async ({ params, res }) => {
        const row = await findQuarantinedRawBody(db, params.id);
        if (!row) throw notFound(params.id);
        sendRawBody(res, row);
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/quarantine/:id/accept",
      summary: "Stores a quarantined body as a message, marked as accepted by hand, with the actor and reason recorded",
      tag: "quarantine",
      params: idParams,
      body: acceptBody,
      response: messageDetail,
      json: stringifyExact,
      status: 201,
      errors: [404, 409],
      handler: async ({ params, body, actor }) => {
        const outcome = await acceptQuarantined(
          db,
          { quarantineId: params.id, ...body, actor, now: clock() },
          onAccepted,
        );
        if (outcome.outcome !== "accepted") throw explainRefusal(params.id, outcome);
        return (await findMessage(db, outcome.messageRowId))!;
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/quarantine/:id/dismiss",
      summary: "Closes a quarantined body without storing it, with the actor and reason recorded",
      tag: "quarantine",
      params: idParams,
      body: dismissBody,
      response: quarantineDetail,
      errors: [404, 409],
      handler: async ({ params, body, actor }) => {
        const outcome = await dismissQuarantined(db, {
          quarantineId: params.id,
          reason: body.reason,
          actor,
          now: clock(),
        });
        if (outcome.outcome !== "dismissed") throw explainRefusal(params.id, outcome);
        return (await findQuarantined(db, params.id))!;
      },
    }),
  ];
}

const notFound = (id: number) => errors.notFound({ what: "quarantined body", id });
