import { z } from "zod";
import type { Db } from "../db/client";
import { HttpError } from "../http/errors";
import { defineRoute, type RouteDefinition } from "../http/routes";
import { acceptQuarantined, type AcceptOutcome } from "./accept";
import { cursorParameter, limitParameter, queryParameters } from "./paging";
import { findMessage } from "./queries";
import { findQuarantined, findQuarantinedRawBody, listQuarantine } from "./quarantine-queries";
import { MESSAGE_ID_RULE } from "./accept";
import { quarantineReasons } from "./records";
import { messageDetail, quarantineDetail, quarantinePage, sendRawBody } from "./views";

const idParams = z.object({ id: z.coerce.number().int().positive() });

const acceptBody = z.object({
  reason: z.string().trim().min(1).max(1000).describe("why this body is stored anyway (kept on the message)"),
  messageId: z.string().min(1).max(291).optional().describe("only for a body without header.messageId"),
});

/** Internal routes over quarantined bodies: what Douane sent that we refused, and accepting one by hand. */
export function quarantineRoutes(db: Db, clock: () => Date = () => new Date()): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/quarantine",
      summary: "Quarantined bodies, newest first, by reason; the same keyset pages as /v1/messages",
      tag: "quarantine",
      query: queryParameters({ reason: z.enum(quarantineReasons).optional(), limit: limitParameter, cursor: cursorParameter("quarantine") }),
      response: quarantinePage,
      handler: async ({ query: { limit, cursor, ...filters } }) => listQuarantine(db, filters, { limit, cursor }),
    }),
    defineRoute({
      method: "get",
      path: "/v1/quarantine/:id",
      summary: "One quarantined body's metadata: why it was refused, and whether it was accepted since",
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
      status: 201,
      errors: [404, 409],
      handler: async ({ params, body, actor }) => {
        const outcome = await acceptQuarantined(db, { quarantineId: params.id, ...body, actor, now: clock() });
        if (outcome.outcome !== "accepted") throw refusalOf(params.id, outcome);
        return (await findMessage(db, outcome.messageRowId))!;
      },
    }),
  ];
}

const notFound = (id: number) => new HttpError(404, "not_found", `no quarantined body with id ${id}`);

function refusalOf(id: number, outcome: Exclude<AcceptOutcome, { outcome: "accepted" }>): HttpError {
  switch (outcome.outcome) {
    case "not_found":
      return notFound(id);
    case "already_accepted":
      return new HttpError(409, "already_accepted", `quarantined body ${id} was already accepted`, { messageRowId: outcome.messageRowId });
    case "body_not_kept":
      return new HttpError(409, "body_not_kept", `quarantined body ${id} was too large to be kept: there is nothing to store`);
    case "message_exists":
      return new HttpError(409, "message_exists", `a message with messageId ${outcome.messageId} is already stored: it is never replaced`, { messageRowId: outcome.messageRowId });
    case "message_id_required":
      return new HttpError(400, "invalid_body", "invalid body: messageId (the body has no header.messageId)", { issues: [{ path: "messageId", message: "required: the body has no header.messageId" }] });
    case "message_id_invalid":
      return new HttpError(400, "invalid_body", "invalid body: messageId", { issues: [{ path: "messageId", message: MESSAGE_ID_RULE }] });
    case "message_id_mismatch":
      return new HttpError(400, "invalid_body", "invalid body: messageId (differs from the body's header.messageId)", { issues: [{ path: "messageId", message: `the body's header.messageId is ${outcome.bodyMessageId}; leave messageId out` }] });
  }
}
