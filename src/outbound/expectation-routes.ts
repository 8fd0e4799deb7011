import { z } from "zod";
import type { Db } from "../db/client";
import { errors } from "../http/error-catalog";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { cursorParameter, limitParameter, queryParameters } from "../messages/paging";
import { isoInstant } from "../messages/views";
import {
  expectationStatuses,
  listExpectations,
  recordRepresented,
  registerExpectations,
  statusOf,
} from "./expectations";
import type { Outbound } from "./outbound";

export const expectationView = z.object({
  id: z.number(),
  api: z.string(),
  lrn: z.string().nullable(),
  operatorRequestReference: z.string().nullable(),
  sentAt: isoInstant,
  dueAt: isoInstant.describe("sentAt + OUTBOUND_RETURN_TIMEOUT_MINUTES"),
  status: z.enum(expectationStatuses),
  source: z.string().describe("submission (sent through this service) | registered (POST /v1/expectations)"),
  submissionId: z.number().nullable(),
  createdAt: isoInstant,
  closedAt: isoInstant.nullable().describe("when the first matching return was received"),
  closedByMessageId: z.number().nullable().describe("that return, in /v1/messages"),
  representedAt: isoInstant.nullable(),
  representedBy: z.string().nullable(),
  representedReason: z.string().nullable(),
});

/** The query of GET /v1/expectations; the CLI's `expectations list` takes the same filters. */
export const expectationQuery = queryParameters({
  status: z
    .enum(expectationStatuses)
    .optional()
    .describe("open | overdue (no return in time, not re-presented) | closed | represented"),
  api: z.string().min(1).max(350).optional(),
  lrn: z.string().min(1).max(350).optional(),
  operatorRequestReference: z.string().min(1).max(350).optional(),
  limit: limitParameter,
  cursor: cursorParameter("expectation"),
});

/** Expected Douane returns: registered by other software, listed by status, re-presented by a person. */
export function expectationRoutes(db: Db, outbound: Outbound, apiNames: [string, ...string[]]): RouteDefinition[] {
  const expected = z
    .object({
      api: z.enum(apiNames),
      lrn: z.string().min(1).max(22).optional(),
      operatorRequestReference: z.string().min(1).max(35).optional(),
      sentAt: z.iso
        .datetime({ offset: true })
        .transform((text) => new Date(text))
        .describe("when it was sent to Douane, ISO 8601"),
    })
    .strict()
    .refine((item) => item.lrn !== undefined || item.operatorRequestReference !== undefined, {
      path: ["lrn"],
      message: "lrn or operatorRequestReference is required: a return is matched on them",
    });
  const find = async (id: number) => {
    const row = await db.expectation.findUnique({ where: { id }, omit: { dedupeKey: true } });
    if (!row) throw errors.notFound({ what: "expectation", id });
    return { ...row, status: statusOf(row, outbound.clock()) };
  };
  return [
    defineRoute({
      method: "post",
      path: "/v1/expectations",
      summary:
        "Registers returns expected for messages other software sent to Douane (one, or up to 500 as { items }); the same one twice is kept once",
      tag: "expectations",
      // One is taken as a list of one, so a refusal names its fields the same way (items.0.sentAt) either way.
      body: z.preprocess(
        (body) => (typeof body === "object" && body !== null && "items" in body ? body : { items: [body] }),
        z.object({ items: z.array(expected).min(1).max(500) }).strict(),
      ),
      response: z.object({ items: z.array(expectationView) }),
      status: 201,
      handler: async ({ body }) => {
        const { items } = body;
        const now = outbound.clock();
        const rows = await registerExpectations(
          db,
          items.map((item) => ({ lrn: null, operatorRequestReference: null, ...item })),
          { now, timeoutMinutes: outbound.returnTimeoutMinutes },
        );
        outbound.reconciler.nudge(); // the return may be stored already
        return { items: rows.map((row) => ({ ...row, status: statusOf(row, now) })) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/expectations",
      summary: "Expected returns, newest first, by status: overdue ones are those to look at",
      tag: "expectations",
      query: expectationQuery,
      response: z.object({ items: z.array(expectationView), nextCursor: z.string().nullable() }),
      handler: ({ query: { limit, cursor, ...filters } }) =>
        listExpectations(db, filters, { limit, cursor }, outbound.clock()),
    }),
    defineRoute({
      method: "get",
      path: "/v1/expectations/:id",
      summary: "One expected return",
      tag: "expectations",
      params: idParams,
      response: expectationView,
      errors: [404],
      handler: ({ params }) => find(params.id),
    }),
    defineRoute({
      method: "post",
      path: "/v1/expectations/:id/represented",
      summary:
        "Records that a person presented the message to Douane again (once per expectation; the service never does it)",
      tag: "expectations",
      params: idParams,
      body: z.object({ reason: z.string().trim().min(1).max(1000) }).strict(),
      response: expectationView,
      status: 201,
      errors: [404, 409],
      handler: async ({ params, body, actor }) => {
        const outcome = await recordRepresented(db, params.id, { actor, reason: body.reason, now: outbound.clock() });
        if (outcome.outcome === "not_found") throw errors.notFound({ what: "expectation", id: params.id });
        if (outcome.outcome === "already_represented")
          throw errors.alreadyRepresented({ id: params.id, by: outcome.by });
        if (outcome.outcome === "closed") throw errors.alreadyClosed({ id: params.id });
        return find(params.id);
      },
    }),
  ];
}
