import { z } from "zod";
import type { Db } from "../db/client";
import { errors } from "../http/error-catalog";
import { defineRoute, type RouteDefinition } from "../http/routes";
import { messageSummary, summaryColumns } from "../messages/views";
import { expectationView } from "./expectation-routes";
import { statusOf } from "./expectations";
import { submissionView } from "./routes";

/**
 * A declaration's story by the operator's own reference: what we sent (submissions), what we wait for
 * (expectations), and every return Douane sent about it, in Douane's messageDateTime order. A return is
 * about it when it names the lrn, or the operatorRequestReference of one of its submissions or expectations
 * (a Response_Registration_H7 names the request; its first declaration's lrn is the one indexed).
 */
async function timelineByLrn(db: Db, lrn: string, now: Date) {
  const submissions = await db.outboundSubmission.findMany({
    where: { lrn },
    orderBy: { id: "asc" },
    omit: { requestBody: true },
  });
  const expectations = await db.expectation.findMany({
    where: { lrn },
    orderBy: { id: "asc" },
    omit: { dedupeKey: true },
  });
  const references = [
    ...new Set(
      [...submissions, ...expectations].flatMap((row) =>
        row.operatorRequestReference ? [row.operatorRequestReference] : [],
      ),
    ),
  ];
  const messages = await db.message.findMany({
    where: { OR: [{ lrn }, { operatorRequestReference: { in: references } }] },
    orderBy: [{ messageDateTime: { sort: "asc", nulls: "last" } }, { id: "asc" }],
    select: summaryColumns,
  });
  if (submissions.length + expectations.length + messages.length === 0) return null;
  const latest = (key: "state" | "mrn" | "customsDeclarationReference") =>
    [...messages].reverse().find((message) => message[key] !== null)?.[key] ?? null;
  return {
    lrn,
    state: latest("state"),
    customsDeclarationReference: latest("customsDeclarationReference"),
    mrn: latest("mrn"),
    submissions,
    expectations: expectations.map((row) => ({ ...row, status: statusOf(row, now) })),
    messages,
  };
}

export function timelineRoutes(db: Db, clock: () => Date): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/declarations/lrn/:lrn",
      summary:
        "A declaration by its lrn: our submissions, the returns expected, and Douane's returns in messageDateTime order",
      tag: "declarations",
      params: z.object({ lrn: z.string().min(1).max(350) }),
      response: z.object({
        lrn: z.string(),
        state: z.string().nullable().describe("state of the last return that carries one"),
        customsDeclarationReference: z.string().nullable(),
        mrn: z.string().nullable(),
        submissions: z.array(submissionView),
        expectations: z.array(expectationView),
        messages: z.array(messageSummary),
      }),
      errors: [404],
      handler: async ({ params }) => {
        const timeline = await timelineByLrn(db, params.lrn, clock());
        if (!timeline) throw errors.nothingAboutLrn({ lrn: params.lrn });
        return timeline;
      },
    }),
  ];
}
