import { answer, entriesOf } from "./http-error";

/** Why a submission to Douane got no acceptance (outbound/submissions.ts), and the direction not set up at all. */
const outboundFailures = entriesOf({
  douane_rejected: [422, "Douane refused the message"],
  douane_unreachable: [502, "Douane could not be reached: nothing was delivered"],
  douane_error: [502, "Douane answered with a 5xx: it may have taken the message; wait for its return"],
  douane_no_answer: [502, "the connection to Douane failed before an answer: wait for its return"],
  douane_timeout: [504, "Douane did not answer in time: wait for its return before presenting it again"],
  credential_refused: [503, "not sent: no access token (the authorization server refused our credential)"],
  token_server_unavailable: [503, "not sent: no access token (the authorization server is unavailable)"],
  token_request_invalid: [503, "not sent: no access token (the token request is misconfigured)"],
  credentials_unreadable: [503, "not sent: no access token (the credential files cannot be read)"],
});
export type OutboundFailureCode = keyof typeof outboundFailures;

const notConfigured = entriesOf({
  outbound_not_configured: [503, "DOUANE_TOKEN_URL is not set: nothing can be sent to Douane"],
});

export const outboundErrors = { ...outboundFailures, ...notConfigured };

export const outboundAnswers = {
  outboundNotConfigured: () => answer(notConfigured.outbound_not_configured),
  /** The submission's record travels with the failure, so the caller sees what was sent and why it failed. */
  submissionFailed: ({
    code,
    message,
    submission,
  }: {
    code: OutboundFailureCode;
    message: string;
    submission: object;
  }) => answer(outboundFailures[code], { message, extra: { submission } }),
};
