import { z } from "zod";
import type { ApiDefinition } from "../douane/apis";
import { errors } from "../http/error-catalog";
import { defineRoute, type RouteDefinition } from "../http/routes";
import type { BasePathAdmin } from "./admin";
import { MoveRefusal } from "./rules";
import type { BasePathStore } from "./store";

const instant = z.date().transform((date) => date.toISOString());
export const basePathView = z.object({
  id: z.number(),
  basePath: z.string(),
  role: z.string().describe("current | previous (still served during a move) | retired (404) | cancelled"),
  createdAt: instant,
  movedAt: instant.nullable(),
  retiredAt: instant.nullable(),
  lastCallAt: instant.nullable().describe("when Douane last called this path"),
  callCount: z.number(),
});
const change = z.object({ reason: z.string().max(500).optional() }).default({});
const movesAnswer = z.object({ items: z.array(basePathView) });

/** URL moves on the internal listener; the same BasePathAdmin serves the CLI. */
export function basePathRoutes(apis: ApiDefinition[], admin: BasePathAdmin, store: BasePathStore): RouteDefinition[] {
  const params = z.object({ api: z.enum(apis.map((api) => api.name) as [string, ...string[]]) });
  const run = async <T>(work: () => Promise<T>): Promise<{ items: T }> => {
    try {
      return { items: await work() };
    } catch (error) {
      if (error instanceof MoveRefusal) throw errors.refused(error);
      throw error;
    }
  };
  const servedElsewhere = (api: string) =>
    apis
      .filter((other) => other.name !== api)
      .flatMap((other) => store.served(other.name).map((path) => path.basePath));
  return [
    defineRoute({
      method: "get",
      path: "/v1/apis/:api/moves",
      summary:
        "The API's base paths, newest first: current, previous (during a move), retired; when Douane last called each",
      tag: "apis",
      params,
      response: movesAnswer,
      handler: async ({ params: { api } }) => run(() => admin.list(api)),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/moves",
      summary:
        "Declare a URL move (the new base path entered in the portal): both paths are served until the old one is retired",
      tag: "apis",
      params,
      body: z.object({
        basePath: z.string().regex(/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/, "must start with / and not end with /"),
        reason: z.string().max(500).optional(),
      }),
      status: 201,
      response: movesAnswer,
      errors: [409],
      handler: async ({ params: { api }, body, actor }) =>
        run(() =>
          admin.move({
            api,
            basePath: body.basePath,
            actor,
            reason: body.reason,
            servedElsewhere: servedElsewhere(api),
          }),
        ),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/moves/retire",
      summary:
        "Retire the old base path (404 from then on): once URL_MOVE_WINDOW_MINUTES are over and no call came for 30 minutes, or with force",
      tag: "apis",
      params,
      body: z
        .object({ reason: z.string().max(500).optional(), force: z.boolean().default(false) })
        .default({ force: false }),
      response: movesAnswer,
      errors: [404, 409],
      handler: async ({ params: { api }, body, actor }) =>
        run(() => admin.retire({ api, actor, reason: body.reason, force: body.force })),
    }),
    defineRoute({
      method: "post",
      path: "/v1/apis/:api/moves/cancel",
      summary: "Cancel the move in progress: only the old base path is served again",
      tag: "apis",
      params,
      body: change,
      response: movesAnswer,
      errors: [404],
      handler: async ({ params: { api }, body, actor }) => run(() => admin.cancel({ api, actor, reason: body.reason })),
    }),
  ];
}
