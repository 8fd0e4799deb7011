/**
 * The error catalog: every error answer the service gives, one entry per stable `error` code with its status and
 * default message, and the named constructors that make them (`errors.notFound({ what: "destination", id })`).
 * Nothing else creates an HttpError. test/http/error-catalog.test.ts pins each code to a row of the docs' tables.
 */
import type { ErrorEntry } from "./http-error";
import { intakeAnswers, intakeRefusals } from "./intake";
import { outboundAnswers, outboundErrors } from "./outbound";
import { moveRefusals, refusalAnswers, stateRefusals, tokenRefusals } from "./refusals";
import { requestAnswers, requestErrors } from "./requests";

export { HttpError } from "./http-error";
export { type IntakeRefusalCode, intakeRefusals } from "./intake";
export type { OutboundFailureCode } from "./outbound";
export type { MoveRefusalCode, TokenRefusalCode } from "./refusals";

export const errors = { ...requestAnswers, ...intakeAnswers, ...refusalAnswers, ...outboundAnswers };

export const errorCatalog: ErrorEntry[] = [
  requestErrors,
  intakeRefusals,
  tokenRefusals,
  moveRefusals,
  stateRefusals,
  outboundErrors,
].flatMap((area) => Object.values(area));
