import { z } from "zod";
import type { Db } from "../db/client";
import { errors } from "../http/error-catalog";
import { defineRoute, idParams, type RouteDefinition } from "../http/routes";
import { isoInstant } from "../messages/views";
import type { Outbound } from "./outbound";
import { type Operation, submit } from "./submissions";

export const submissionView = z.object({
  id: z.number(),
  api: z.string(),
  operation: z.string().describe("declaration (declarations/creer) | invalidation (demandes/invalider)"),
  lrn: z.string().nullable(),
  operatorRequestReference: z.string().nullable(),
  status: z.string().describe("sending | answered | rejected | unreachable | timeout | no_answer | not_sent"),
  httpStatus: z.number().nullable().describe("Douane's answer status, when it answered"),
  answerBody: z.string().nullable().describe("Douane's answer, as text (64 KiB at most)"),
  error: z.string().nullable().describe("why Douane did not answer, as a code"),
  actor: z.string(),
  createdAt: isoInstant,
  answeredAt: isoInstant.nullable(),
});

const tokenStatus = z.object({
  status: z.enum(["green", "yellow", "red"]),
  state: z.string().describe("idle | ok | failing | refused | misconfigured"),
  reason: z.string().nullable(),
  lastIssuedAt: isoInstant.nullable(),
  expiresAt: isoInstant.nullable(),
  retryAt: isoInstant
    .nullable()
    .describe("after a refused credential: no token request before then, unless the credentials change"),
});

/** Sending to Douane through the internal API, each submission recorded with Douane's immediate answer. */
export function outboundRoutes(db: Db, outbound: Outbound): RouteDefinition[] {
  const submissionRoute = (operation: Operation, path: string, what: string) =>
    defineRoute({
      method: "post",
      path,
      summary: `Sends ${what} to Douane with a fresh access token and records it; never retried automatically`,
      tag: "outbound",
      body: z.record(z.string(), z.unknown()).describe("the H7 document, sent as is"),
      response: submissionView,
      status: 201,
      errors: [422, 502, 503, 504],
      handler: async ({ body, actor }) => {
        if (!outbound.submitter) throw errors.outboundNotConfigured();
        const { submission, failure } = await submit(outbound.submitter, operation, body, actor);
        if (failure) throw errors.submissionFailed({ ...failure, submission: submissionView.parse(submission) });
        return submission;
      },
    });
  return [
    submissionRoute("declaration", "/v1/outbound/h7/declarations", "a Creation_H7 (declarations/creer)"),
    submissionRoute("invalidation", "/v1/outbound/h7/invalidations", "a Request_Invalidation_H7 (demandes/invalider)"),
    defineRoute({
      method: "get",
      path: "/v1/outbound/submissions/:id",
      summary: "One submission: what was sent, Douane's answer or why there was none",
      tag: "outbound",
      params: idParams,
      response: submissionView.extend({ requestBody: z.unknown().describe("the document sent") }),
      errors: [404],
      handler: async ({ params }) => {
        const row = await db.outboundSubmission.findUnique({ where: { id: params.id } });
        if (!row) throw errors.notFound({ what: "submission", id: params.id });
        return { ...row, requestBody: JSON.parse(row.requestBody) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/outbound/status",
      summary:
        "The outbound direction: access token state (red after a refused credential, with the reason) and overdue returns (yellow)",
      tag: "outbound",
      response: z.object({
        status: z.enum(["green", "yellow", "red"]),
        enabled: z.boolean(),
        token: tokenStatus.nullable(),
        overdueExpectations: z.number(),
        reasons: z.array(z.string()),
      }),
      handler: () => outbound.status(),
    }),
  ];
}
