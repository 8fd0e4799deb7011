import { z } from "zod";
import type { Db } from "../db/client";
import type { DriverSql } from "../db/driver";
import { errors } from "../http/error-catalog";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { cursorParameter, instantWithZone, limitParameter, queryParameters } from "../messages/paging";
import { isoInstant } from "../messages/views";
import type { DestinationAdmin } from "./destinations";
import { cancelReplay, listDeliveries, redeliver, replay } from "./replay";

const attemptView = z.object({
  at: isoInstant,
  status: z.number().nullable().describe("HTTP status; null when there was no answer"),
  error: z.string().nullable().describe("timeout or connection error, when there was no answer"),
  durationMs: z.number(),
  response: z.string().nullable().describe("the first KiB of the answer"),
});
const deliveryView = z.object({
  id: z.number().describe("also the webhook-id, as dlv_<id>"),
  destinationId: z.number(),
  messageRowId: z.number(),
  position: z.number().describe("the message's feed position"),
  orderKey: z.string().nullable().describe("customsDeclarationReference: deliveries with the same one go in order"),
  trigger: z.string().describe("live | redeliver | replay"),
  status: z.string().describe("pending | delivered | failed"),
  attempts: z.number(),
  nextAttemptAt: isoInstant,
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoInstant,
  completedAt: isoInstant.nullable(),
});

export interface DeliveryRouteDeps {
  db: Db;
  sql: DriverSql;
  admin: DestinationAdmin;
  clock: () => Date;
  /** Called once new deliveries are committed, so they go out at once. */
  wake: () => void;
}

/** Deliveries on the internal listener: listing with attempts, redelivering a message, replaying a time range. */
export function deliveryRoutes({ db, sql, admin, clock, wake }: DeliveryRouteDeps): RouteDefinition[] {
  const destinationOr404 = async (id: number) => {
    const destination = await admin.get(id);
    if (!destination) throw errors.notFound({ what: "destination", id });
    return destination;
  };
  return [
    defineRoute({
      method: "get",
      path: "/v1/destinations/:id/deliveries",
      summary: "The destination's deliveries, newest first, each with every attempt",
      tag: "delivery",
      params: idParams,
      query: queryParameters({
        status: z.enum(["pending", "delivered", "failed"]).optional(),
        trigger: z
          .enum(["live", "redeliver", "replay"])
          .optional()
          .describe("replay&status=pending: what a replay has left to send"),
        limit: limitParameter,
        cursor: cursorParameter("delivery"),
      }),
      response: z.object({
        items: z.array(
          deliveryView.extend({ attemptLog: z.array(attemptView).describe("every attempt, oldest first") }),
        ),
        nextCursor: z.string().nullable(),
      }),
      errors: [404],
      handler: async ({ params, query }) => {
        await destinationOr404(params.id);
        return listDeliveries(db, { destinationId: params.id, ...query });
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/messages/:id/redeliver",
      summary:
        "Deliver a stored message again to every enabled destination its filter matches (new deliveries, counted apart from the automatic ones)",
      tag: "delivery",
      params: idParams,
      status: 202,
      response: z.object({ deliveryIds: z.array(z.number()) }),
      errors: [404],
      handler: async ({ params }) => {
        const created = await redeliver(db, sql, params.id, await admin.list(), clock());
        if (!created) throw errors.notFound({ what: "message", id: params.id });
        wake();
        return created;
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/destinations/:id/replay",
      summary:
        "Deliver again every stored message received in [from, to) that the destination's filter matches, in feed order; live deliveries keep going first",
      tag: "delivery",
      params: idParams,
      body: z
        .object({ from: instantWithZone, to: instantWithZone })
        .refine((range) => range.from < range.to, { path: ["to"], message: "must be after from" }),
      status: 202,
      response: z.object({ destinationId: z.number(), deliveries: z.number().describe("how many were queued") }),
      errors: [404],
      handler: async ({ params, body }) => {
        const destination = await destinationOr404(params.id);
        const deliveries = await replay(sql, destination, body.from, body.to, clock());
        wake();
        return { destinationId: destination.id, deliveries };
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/destinations/:id/replay/cancel",
      summary: "Stop the destination's replays: their deliveries not yet delivered fail as cancelled",
      tag: "delivery",
      params: idParams,
      response: z.object({ destinationId: z.number(), cancelled: z.number() }),
      errors: [404],
      handler: async ({ params }) => {
        await destinationOr404(params.id);
        return { destinationId: params.id, cancelled: await cancelReplay(db, params.id, clock()) };
      },
    }),
  ];
}
