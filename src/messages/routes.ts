import { z } from "zod";
import type { Db } from "../db/client";
import { validations } from "../douane/examine";
import { stringifyExact } from "../douane/numbers";
import { atMostCodePoints } from "../douane/text";
import { errors } from "../http/error-catalog";
import { sendRawBody } from "../http/raw-body";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { cursorParameter, instantParameter, limitParameter, queryParameters } from "./paging";
import { declarationTimeline, findMessage, findRawBody, listMessages } from "./queries";
import { messageDetail, messagePage, declarationTimeline as timelineView } from "./views";

/** A search key: 1 to 350 characters (code points), the most a stored key holds. */
const searchKey = z
  .string()
  .min(1)
  .refine((value) => atMostCodePoints(value, 350), { message: "expected at most 350 characters" });
const key = searchKey.optional();

/** The query of GET /v1/messages; the CLI's `messages list` takes the same filters. */
export const messageQuery = queryParameters({
  api: key.describe("the Douane API, e.g. h7"),
  channel: key.describe("declaration_response | request_registration | declaration_error | unknown"),
  lrn: key.describe("any declaration the message names has this lrn"),
  mrn: key.describe("any declaration the message names has this mrn"),
  customsDeclarationReference: key.describe("any declaration the message names has this customsDeclarationReference"),
  customsRequestReference: key,
  operatorRequestReference: key,
  state: key.describe("declaration state, e.g. ACC"),
  validation: z.enum(validations).optional(),
  tokenId: z.coerce.number().int().positive().optional().describe("id of the Douane token the message came with"),
  receivedFrom: instantParameter.describe("received at or after this ISO 8601 instant"),
  receivedTo: instantParameter.describe("received before this ISO 8601 instant"),
  limit: limitParameter,
  cursor: cursorParameter("message"),
});

/** Internal routes over stored messages and declarations. */
export function messageRoutes(db: Db): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/messages",
      summary:
        "Stored messages, newest first, filtered by Douane's keys; keyset pages that stay exact while messages arrive",
      tag: "messages",
      query: messageQuery,
      response: messagePage,
      handler: async ({ query: { limit, cursor, ...filters } }) => listMessages(db, filters, { limit, cursor }),
    }),
    defineRoute({
      method: "get",
      path: "/v1/messages/:id",
      summary: "One stored message: metadata, extracted keys, validation findings and parsed payload",
      tag: "messages",
      params: idParams,
      response: messageDetail,
      json: stringifyExact,
      errors: [404],
      handler: async ({ params }) => {
        const message = await findMessage(db, params.id);
        if (!message) throw errors.notFound({ what: "message", id: params.id });
        return message;
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/messages/:id/raw",
      summary: "The exact bytes Douane sent, with the content type it sent them with",
      tag: "messages",
      params: idParams,
      produces: "*/*", // the content type Douane sent (application/json for H7)
      errors: [404],
      handler: async ({ params, res }) => {
        const row = await findRawBody(db, params.id);
        if (!row) throw errors.notFound({ what: "message", id: params.id });
        sendRawBody(res, row);
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/declarations/:customsDeclarationReference",
      summary:
        "A declaration's timeline (every message about it, in messageDateTime order) and its latest state, lrn and mrn",
      tag: "declarations",
      params: z.object({ customsDeclarationReference: searchKey }),
      response: timelineView,
      errors: [404],
      handler: async ({ params: { customsDeclarationReference } }) => {
        const timeline = await declarationTimeline(db, customsDeclarationReference);
        if (!timeline) throw errors.notFound({ what: "message", about: `declaration ${customsDeclarationReference}` });
        return timeline;
      },
    }),
  ];
}
