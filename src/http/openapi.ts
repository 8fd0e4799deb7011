import { z } from "zod";
import { type AnyObject, defineRoute, type RouteDefinition } from "./routes";

/** `GET /v1/openapi.json`: the OpenAPI document of `routes` and of itself. */
export function openApiRoute(routes: RouteDefinition[], info: { title: string; version: string }): RouteDefinition {
  const route = defineRoute({
    method: "get",
    path: "/v1/openapi.json",
    summary: "This API's OpenAPI 3.1 document, generated from the zod schemas that validate it",
    tag: "meta",
    produces: "application/json",
    handler: async ({ res }) => {
      res.json(openApiDocument([...routes, route], info));
    },
  });
  return route;
}

const toJsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });

/** The OpenAPI 3.1 document of `routes`. */
function openApiDocument(routes: RouteDefinition[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const parameters = [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")];
    const responses: Record<string, unknown> = {
      [route.status ?? 200]: route.response
        ? { description: "OK", content: { "application/json": { schema: toJsonSchema(route.response, "output") } } }
        : { description: "OK", content: { [route.produces ?? "application/octet-stream"]: {} } },
    };
    for (const status of [400, 401, ...(route.errors ?? [])]) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? "error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    paths[path] = {
      ...paths[path],
      [route.method]: {
        summary: route.summary,
        tags: [route.tag],
        parameters,
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { "application/json": { schema: toJsonSchema(route.body, "input") } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: "3.1.0",
    info,
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "INTERNAL_API_TOKEN (admin) or INTERNAL_READ_TOKEN (GET only)",
        },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error", "message"],
          properties: {
            error: { type: "string", description: "stable error code" },
            message: { type: "string" },
            issues: {
              type: "array",
              items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
            },
          },
        },
      },
    },
    paths,
  };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "invalid request: the `issues` name each bad parameter",
  401: "missing or wrong internal credential",
  404: "not found",
  409: "conflicts with the current state",
};

function parametersOf(schema: AnyObject | undefined, where: "path" | "query") {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === "path" || !(field as z.ZodType).safeParse(undefined).success,
    schema: toJsonSchema(field as z.ZodType, "input"),
    ...((field as z.ZodType).description ? { description: (field as z.ZodType).description } : {}),
  }));
}
