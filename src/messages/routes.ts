import { z } from "zod";
import type { Db } from "../db/client";
import { HttpError } from "../http/errors";
import { defineRoute, type RouteDefinition } from "../http/routes";

const idParams = z.object({ id: z.coerce.number().int().positive() });

const messageDetail = z.object({
  id: z.number(),
  api: z.string(),
  channel: z.string(),
  messageId: z.string(),
  receivedAt: z.date().transform((date) => date.toISOString()),
  validation: z.string(),
  findings: z.array(z.object({ path: z.string(), message: z.string(), severity: z.string() })),
  pathParams: z.record(z.string(), z.string()),
  payload: z.unknown(),
});

/** Internal routes over stored messages. */
export function messageRoutes(db: Db): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/messages/:id",
      summary: "One stored message: metadata, validation findings and parsed payload",
      tag: "messages",
      params: idParams,
      response: messageDetail,
      errors: [404],
      handler: async ({ params }) => {
        const row = await db.message.findUnique({ where: { id: params.id } });
        if (!row) throw new HttpError(404, "not_found", `no message with id ${params.id}`);
        return {
          ...row,
          findings: JSON.parse(row.findings),
          pathParams: JSON.parse(row.pathParams),
          payload: JSON.parse(Buffer.from(row.rawBody).toString("utf8")),
        };
      },
    }),
  ];
}
