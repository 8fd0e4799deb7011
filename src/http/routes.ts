import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { errors } from "./error-catalog";
import { setEarlier } from "./locals";

type Method = "get" | "post" | "patch" | "delete";
export type AnyObject = z.ZodObject<z.ZodRawShape>;

interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Who is calling, from the internal credential (see internal/credentials.ts) or the console's session. */
  actor: string;
  req: Request;
  res: Response;
}

/** The path parameter of every route about one row: `/…/:id`, a positive integer. */
export const idParams = z.object({ id: z.coerce.number().int().positive() });

/** One internal endpoint: its zod schemas validate the request and shape the answer, and the OpenAPI
 *  document is generated from the same schemas, so the two cannot drift apart. */
export interface RouteDefinition<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Express syntax: `/v1/messages/:id`. */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON answer; a route without one writes its own answer (documented by `produces`). */
  response?: R;
  produces?: string;
  /** How the answer becomes JSON text, when JSON.stringify would change it (a payload's exact numbers). */
  json?: (answer: unknown) => string;
  status?: number;
  errors?: number[];
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<z.input<R> | undefined>;
}

export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType>(
  route: RouteDefinition<P, Q, B, R>,
): RouteDefinition {
  return route as unknown as RouteDefinition;
}

export function routerOf(routes: RouteDefinition[]): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req, res) => {
      const answer = await runRoute(route, {
        params: req.params,
        query: req.query,
        body: req.body,
        actor: setEarlier(res, "actor"),
        req,
        res,
      });
      if (!route.response) return;
      if (route.json)
        res
          .status(route.status ?? 200)
          .type("application/json")
          .send(route.json(answer));
      else res.status(route.status ?? 200).json(answer);
    });
  }
  return router;
}

/** Validates a request's parts, runs the handler and shapes its answer: the one path from a request to a route's
 *  result, for the JSON API and the console's pages alike. Undefined for a route that writes its own answer. */
export async function runRoute(
  route: RouteDefinition,
  input: { params: unknown; query: unknown; body: unknown; actor: string; req: Request; res: Response },
): Promise<unknown> {
  const params = validate(route.params, input.params, "params");
  const query = validate(route.query, input.query, "query");
  const body = validate(route.body, input.body, "body");
  const result = await route.handler({ params, query, body, actor: input.actor, req: input.req, res: input.res });
  return route.response ? route.response.parse(result) : undefined;
}

function validate(schema: z.ZodType | undefined, value: unknown, where: "params" | "query" | "body"): any {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw errors.invalidRequest({ part: where, issues });
}
