import { z } from "zod";
import type { ApiDefinition } from "../douane/apis";
import { errors } from "../http/error-catalog";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { cursorParameter, limitParameter, queryParameters } from "../messages/paging";
import type { TokenAdmin } from "./admin";
import { LifecycleRefusal, MAX_EXTEND_MINUTES } from "./lifecycle";
import { tokenStatusSchema } from "./status";

const instant = z.date().transform((date) => date.toISOString());
const tokenView = z.object({
  id: z.number(),
  api: z.string(),
  fingerprint: z.string(),
  status: tokenStatusSchema,
  source: z.string(),
  createdAt: instant,
  activatedAt: instant.nullable(),
  expiresAt: instant.nullable(),
  revokedAt: instant.nullable(),
  firstSeenAt: instant.nullable(),
  lastSeenAt: instant.nullable(),
  useCount: z.number(),
  retiringSince: instant.nullable(),
  lastRefusedAt: instant.nullable(),
});
/** On every lifecycle answer: until when the token being replaced is still accepted. */
const oldToken = z
  .object({ id: z.number(), fingerprint: z.string(), acceptedUntil: instant.nullable(), meaning: z.string() })
  .nullable();
const lifecycleAnswer = tokenView.extend({ oldToken });
export const extendBody = z.object({
  minutes: z.number().int().min(1).max(MAX_EXTEND_MINUTES),
  reason: z.string().max(500).optional(),
});
/** The audit log's paging, for the API and the CLI. */
export const tokenEventQuery = queryParameters({ limit: limitParameter, cursor: cursorParameter("tokenEvent") });
const forceQuery = z.object({
  force: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
});
const warning = z.object({ tokenId: z.number(), fingerprint: z.string(), code: z.string(), message: z.string() });
const change = z.object({ reason: z.string().max(500).optional() }).default({});

/** Token administration on the internal listener (per-API status: status/routes.ts); the same TokenAdmin serves the CLI. */
export function tokenRoutes(apis: ApiDefinition[], admin: TokenAdmin): RouteDefinition[] {
  const apiParam = z.enum(apis.map((api) => api.name) as [string, ...string[]]);
  const tokenParams = z.object({ api: apiParam, ...idParams.shape });
  const refusals = [404, 409];
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof LifecycleRefusal) throw errors.refused(error);
      throw error;
    }
  };
  return [
    defineRoute({
      method: "get",
      path: "/v1/apis/:api/tokens",
      summary: "The API's tokens, newest first, with their warnings (never a token value)",
      tag: "tokens",
      params: z.object({ api: apiParam }),
      response: z.object({ items: z.array(tokenView), warnings: z.array(warning) }),
      handler: async ({ params }) => ({
        items: await admin.list(params.api),
        warnings: (await admin.health(params.api)).warnings,
      }),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/tokens",
      summary: "Rotate: create a pending token. Its value is in this answer and never again.",
      tag: "tokens",
      params: z.object({ api: apiParam }),
      body: change,
      status: 201,
      response: lifecycleAnswer.extend({ token: z.string() }),
      errors: [409],
      handler: async ({ params, body, actor }) =>
        run(() => admin.rotate({ api: params.api, actor, reason: body.reason })),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/tokens/:id/activate",
      summary:
        "Confirm the portal now holds this pending token: it becomes active, the active one retires. " +
        "A token Douane never presented only with ?force=true (the first callback with it switches by itself)",
      tag: "tokens",
      params: tokenParams,
      query: forceQuery,
      body: z
        .object({ reason: z.string().max(500).optional(), force: z.boolean().default(false) })
        .default({ force: false }),
      response: lifecycleAnswer,
      errors: refusals,
      handler: async ({ params, query, body, actor }) =>
        run(() =>
          admin.activate({
            api: params.api,
            tokenId: params.id,
            actor,
            reason: body.reason,
            force: query.force || body.force,
          }),
        ),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/tokens/:id/revoke",
      summary: "Revoke at once (a leaked token). The last usable token only with force: true",
      tag: "tokens",
      params: tokenParams,
      body: z
        .object({ reason: z.string().max(500).optional(), force: z.boolean().default(false) })
        .default({ force: false }),
      response: lifecycleAnswer,
      errors: refusals,
      handler: async ({ params, body, actor }) =>
        run(() => admin.revoke({ api: params.api, tokenId: params.id, actor, reason: body.reason, force: body.force })),
    }),
    defineRoute({
      method: "delete",
      path: "/v1/apis/:api/tokens/:id",
      summary: "Cancel a pending token Douane never used",
      tag: "tokens",
      params: tokenParams,
      response: z.object({ id: z.number(), fingerprint: z.string(), status: z.literal("cancelled"), oldToken }),
      errors: refusals,
      handler: async ({ params, actor, req }) =>
        run(() =>
          admin.cancel({
            api: params.api,
            tokenId: params.id,
            actor,
            reason: typeof req.query.reason === "string" ? req.query.reason : undefined,
          }),
        ),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/tokens/:id/extend",
      summary: "Accept a retiring (or expired) token `minutes` longer: Douane still presents it",
      tag: "tokens",
      params: tokenParams,
      body: extendBody,
      response: lifecycleAnswer,
      errors: refusals,
      handler: async ({ params, body, actor }) =>
        run(() =>
          admin.extend({ api: params.api, tokenId: params.id, actor, reason: body.reason, minutes: body.minutes }),
        ),
    }),
    defineRoute({
      method: "get",
      path: "/v1/apis/:api/tokens/events",
      summary: "The audit log of token lifecycle events, newest first",
      tag: "tokens",
      params: z.object({ api: apiParam }),
      query: tokenEventQuery,
      response: z.object({
        items: z.array(
          z.object({
            id: z.number(),
            tokenId: z.number().nullable(),
            event: z.string(),
            actor: z.string(),
            reason: z.string().nullable(),
            detail: z
              .string()
              .nullable()
              .transform((detail) => (detail === null ? null : JSON.parse(detail))),
            at: instant,
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
      handler: async ({ params, query }) => admin.events(params.api, query),
    }),
  ];
}
