import type { Db } from "../db/client";
import { examineMessage } from "../douane/examine";
import { unknownChannel } from "../douane/h7/channels";
import type { OutboundFailureCode } from "../http/error-catalog";
import { StorageUnavailable } from "../http/errors";
import { expectOne } from "./expectations";
import { type AccessTokenClient, TokenUnavailable } from "./token-client";
import { networkErrorOf } from "./token-request";

/** Douane's H7 operations we send, and their paths under H7_DOUANE_URL. */
const operations = { declaration: "declarations/creer", invalidation: "demandes/invalider" } as const;
export type Operation = keyof typeof operations;

type SubmissionStatus = "sending" | "answered" | "rejected" | "unreachable" | "timeout" | "no_answer" | "not_sent";

// Failures before a connection exists: Douane cannot have received anything.
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

const ANSWER_KEPT_CHARS = 64 * 1024;

export interface SubmitterDeps {
  db: Db;
  tokens: AccessTokenClient;
  douaneUrl: string;
  timeoutMs: number;
  returnTimeoutMinutes: number;
  clock: () => Date;
  onOutcome?: (operation: Operation, status: SubmissionStatus) => void;
  /** A new expectation exists: correlation may close it at once if its return is already stored. */
  onExpectation?: () => void;
}

export interface SubmissionFailure {
  code: OutboundFailureCode;
  message: string;
}

/**
 * Sends one message to Douane and records it: the row exists before anything leaves (a database failure
 * sends nothing), and Douane's answer, or why there was none, is recorded after. Never retried here: a
 * declaration sent twice could be lodged twice; presenting again is a person's decision.
 */
export async function submit(deps: SubmitterDeps, operation: Operation, body: Record<string, unknown>, actor: string) {
  const { lrn, operatorRequestReference } = examineMessage(unknownChannel, body, {}).keys;
  const requestBody = JSON.stringify(body);
  const row = await deps.db.outboundSubmission
    .create({
      data: {
        api: "h7",
        operation,
        lrn,
        operatorRequestReference,
        requestBody,
        status: "sending",
        actor,
        createdAt: deps.clock(),
      },
    })
    .catch((error) => {
      throw new StorageUnavailable(error);
    });

  let token: string;
  try {
    token = await deps.tokens.accessToken();
  } catch (error) {
    if (!(error instanceof TokenUnavailable)) throw error;
    return finish(
      deps,
      row,
      { status: "not_sent", error: error.code },
      { code: error.code, message: `not sent: no access token (${error.message})` },
    );
  }

  let response: Response;
  let answer: string;
  try {
    response = await fetch(`${deps.douaneUrl}/${operations[operation]}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
      body: requestBody,
      signal: AbortSignal.timeout(deps.timeoutMs),
      redirect: "error",
    });
    answer = (await response.text()).slice(0, ANSWER_KEPT_CHARS);
  } catch (error) {
    const cause = networkErrorOf(error);
    // A timeout leaves it unknown whether Douane took the message: its return is still expected.
    if (cause === "TimeoutError") {
      return finish(
        deps,
        row,
        { status: "timeout", error: cause },
        {
          code: "douane_timeout",
          message: `Douane did not answer within ${deps.timeoutMs / 1000} s: it may have received the message; wait for its return before presenting it again`,
        },
      );
    }
    if (NOT_CONNECTED.has(cause)) {
      return finish(
        deps,
        row,
        { status: "unreachable", error: cause },
        { code: "douane_unreachable", message: `Douane could not be reached (${cause}): nothing was delivered` },
      );
    }
    return finish(
      deps,
      row,
      { status: "no_answer", error: cause },
      {
        code: "douane_no_answer",
        message: `the connection to Douane failed before an answer (${cause}): it may have received the message; wait for its return before presenting it again`,
      },
    );
  }
  if (response.status === 401) deps.tokens.discard(token);
  const outcome = { httpStatus: response.status, answerBody: answer };
  if (response.ok) return finish(deps, row, { status: "answered", ...outcome });
  return finish(
    deps,
    row,
    { status: "rejected", ...outcome },
    response.status >= 500
      ? {
          code: "douane_error",
          message: `Douane answered ${response.status}: it may have taken the message; wait for its return before presenting it again`,
        }
      : { code: "douane_rejected", message: `Douane refused the message with ${response.status}` },
  );
}

interface Outcome {
  status: SubmissionStatus;
  httpStatus?: number;
  answerBody?: string;
  error?: string;
}

/** Douane may have the message when it answered 2xx, 5xx, or not at all in time: then a return is expected. */
const returnExpected = (outcome: Outcome) =>
  outcome.status === "answered" ||
  outcome.status === "timeout" ||
  outcome.status === "no_answer" ||
  (outcome.status === "rejected" && (outcome.httpStatus ?? 0) >= 500);

async function finish(
  deps: SubmitterDeps,
  row: { id: number; createdAt: Date; lrn: string | null; operatorRequestReference: string | null; operation: string },
  outcome: Outcome,
  failure?: SubmissionFailure,
) {
  const now = deps.clock();
  const expects = returnExpected(outcome) && (row.lrn !== null || row.operatorRequestReference !== null);
  const submission = await deps.db.$transaction(async (tx) => {
    if (expects) {
      const expected = {
        api: "h7",
        lrn: row.lrn,
        operatorRequestReference: row.operatorRequestReference,
        sentAt: row.createdAt,
      };
      await expectOne(tx, expected, row.id, { now, timeoutMinutes: deps.returnTimeoutMinutes });
    }
    return tx.outboundSubmission.update({ where: { id: row.id }, data: { ...outcome, answeredAt: now } });
  });
  deps.onOutcome?.(row.operation as Operation, outcome.status);
  if (expects) deps.onExpectation?.();
  return { submission, failure };
}
