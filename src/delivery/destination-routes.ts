import { z } from "zod";
import { errors } from "../http/error-catalog";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { isoInstant } from "../messages/views";
import { type DestinationAdmin, destinationChange, destinationFilter, destinationInput } from "./destinations";

const destinationView = z.object({
  id: z.number(),
  url: z.string(),
  description: z.string().nullable(),
  filter: destinationFilter,
  enabled: z.boolean(),
  failingSince: isoInstant.nullable().describe("first failed attempt since the last delivery that succeeded"),
  previousSecretExpiresAt: isoInstant.nullable().describe("until then the previous secret also signs"),
  createdAt: isoInstant,
  updatedAt: isoInstant,
});
const withSecret = destinationView.extend({ secret: z.string().describe("whsec_…: shown in this answer only") });

const notFound = (id: number) => errors.notFound({ what: "destination", id });
const found = <T>(id: number, value: T | null): T => {
  if (value === null) throw notFound(id);
  return value;
};

/** Destination administration on the internal listener; the CLI's `destinations …` uses the same DestinationAdmin. */
export function destinationRoutes(admin: DestinationAdmin): RouteDefinition[] {
  return [
    defineRoute({
      method: "post",
      path: "/v1/destinations",
      summary:
        "Add a destination: every message stored from now on that its filter matches is POSTed to it, signed. The secret is in this answer and never again.",
      tag: "delivery",
      body: destinationInput,
      status: 201,
      response: withSecret,
      handler: async ({ body }) => admin.create(body),
    }),
    defineRoute({
      method: "get",
      path: "/v1/destinations",
      summary: "Every destination (never a secret)",
      tag: "delivery",
      response: z.object({ items: z.array(destinationView) }),
      handler: async () => ({ items: await admin.list() }),
    }),
    defineRoute({
      method: "get",
      path: "/v1/destinations/:id",
      summary: "One destination (never a secret)",
      tag: "delivery",
      params: idParams,
      response: destinationView,
      errors: [404],
      handler: async ({ params }) => found(params.id, await admin.get(params.id)),
    }),
    defineRoute({
      method: "patch",
      path: "/v1/destinations/:id",
      summary:
        "Change the URL, description, filter, or enable/disable (a disabled destination gets no new deliveries and sends nothing)",
      tag: "delivery",
      params: idParams,
      body: destinationChange,
      response: destinationView,
      errors: [404],
      handler: async ({ params, body }) => found(params.id, await admin.update(params.id, body)),
    }),
    defineRoute({
      method: "delete",
      path: "/v1/destinations/:id",
      summary: "Remove a destination with its deliveries and their attempts",
      tag: "delivery",
      params: idParams,
      response: z.object({ id: z.number(), deleted: z.literal(true) }),
      errors: [404],
      handler: async ({ params }) => {
        if (!(await admin.remove(params.id))) throw notFound(params.id);
        return { id: params.id, deleted: true as const };
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/destinations/:id/rotate-secret",
      summary: "A new signing secret, in this answer only; the previous one keeps signing alongside it for 24 hours",
      tag: "delivery",
      params: idParams,
      response: withSecret,
      errors: [404],
      handler: async ({ params }) => found(params.id, await admin.rotateSecret(params.id)),
    }),
  ];
}
