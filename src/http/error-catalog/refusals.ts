import { answer, entriesOf } from "./http-error";
import { requestErrors } from "./requests";

/** A token lifecycle change refused (tokens/lifecycle.ts): it would break the state machine or leave Douane without
 *  an accepted token. */
export const tokenRefusals = entriesOf({
  pending_exists: [409, "a token is already pending: activate or cancel it first"],
  not_pending: [409, "the token is not pending"],
  already_used: [409, "the token was already used by Douane"],
  last_usable_token: [409, "the token is the last one Douane can present for good (force to revoke anyway)"],
  not_usable: [409, "the token is already expired or revoked"],
  never_presented: [409, "Douane has never presented the token: activate it by hand only with force"],
  not_retiring: [409, "only a retiring or expired token's window can be extended"],
});

/** A URL move refused (basepaths/rules.ts). */
export const moveRefusals = entriesOf({
  no_move: [404, "no move of this API is in progress"],
  move_in_progress: [409, "a move of this API is in progress: retire or cancel it first"],
  same_path: [409, "the API is already served at this base path"],
  path_in_use: [409, "the base path overlaps one served for another API"],
  still_called: [409, "Douane still calls the old base path (force to retire anyway)"],
  window_not_over: [409, "URL_MOVE_WINDOW_MINUTES are not over (force to retire anyway)"],
});

/** A quarantined body's accept or dismiss refused (quarantine/outcomes.ts), and a return re-presented twice. */
export const stateRefusals = entriesOf({
  already_accepted: [409, "the quarantined body was already accepted"],
  already_dismissed: [409, "the quarantined body was already dismissed"],
  body_not_kept: [409, "the quarantined body was too large to be kept: there is nothing to store"],
  message_exists: [409, "a message with this messageId is stored: the message Douane sent first is never replaced"],
  already_represented: [409, "the expectation was already re-presented"],
  already_closed: [409, "the expectation got its return: there is nothing to present again"],
});
const E = stateRefusals;

/** Codes a domain refusal may carry: its status comes from here, so no route maps codes to statuses. */
const domainRefusals = { ...tokenRefusals, ...moveRefusals, not_found: requestErrors.not_found };
export type TokenRefusalCode = keyof typeof tokenRefusals | "not_found";
export type MoveRefusalCode = keyof typeof moveRefusals;

export const refusalAnswers = {
  /** A LifecycleRefusal or MoveRefusal, as its answer. */
  refused: ({ code, message }: { code: TokenRefusalCode | MoveRefusalCode; message: string }) =>
    answer(domainRefusals[code], { message }),
  alreadyAccepted: ({ id, messageRowId }: { id: number; messageRowId: number | null }) =>
    answer(E.already_accepted, {
      message: `quarantined body ${id} was already accepted${messageRowId ? ` (message ${messageRowId})` : ""}`,
      extra: { messageRowId },
    }),
  alreadyDismissed: ({ id, by, reason }: { id: number; by: string | null; reason: string | null }) =>
    answer(E.already_dismissed, {
      message: `quarantined body ${id} was already dismissed by ${by ?? "someone"}: ${reason ?? "no reason given"}`,
      extra: { dismissedBy: by, dismissedReason: reason },
    }),
  bodyNotKept: ({ id }: { id: number }) =>
    answer(E.body_not_kept, { message: `quarantined body ${id} was too large to be kept: there is nothing to store` }),
  messageExists: ({ messageRowId, messageId }: { messageRowId: number; messageId: string }) =>
    answer(E.message_exists, {
      message: `message ${messageRowId} already has messageId ${messageId}: the message Douane sent first is never replaced`,
      extra: { messageRowId },
    }),
  alreadyRepresented: ({ id, by }: { id: number; by: string }) =>
    answer(E.already_represented, { message: `expectation ${id} was already re-presented by ${by}` }),
  alreadyClosed: ({ id }: { id: number }) =>
    answer(E.already_closed, { message: `expectation ${id} got its return: there is nothing to present again` }),
};
