import { answer, type ErrorEntry, entriesOf, type HttpError } from "./http-error";
import { intakeRefusals } from "./intake";

/** How long a sender is told to wait before retrying after a 503 of ours. */
const RETRY_AFTER_SECONDS = 5;

/** Answers about the request itself, on either listener: who calls, where, with what, and whether we can serve it. */
export const requestErrors = entriesOf({
  unauthorized: [401, "a valid credential is required"],
  read_only_credential: [403, "this credential is read-only (INTERNAL_READ_TOKEN)"],
  not_found: [404, "no such endpoint"],
  method_not_allowed: [405, "Douane callbacks are POST requests"],
  too_many_failures: [429, "too many failed authentications from this address; retry later"],
  invalid_params: [400, "invalid path parameter"],
  invalid_query: [400, "invalid query parameter"],
  invalid_body: [400, "invalid body"],
  bad_request: [400, "bad request"],
  request_aborted: [400, "request aborted"],
  request_size_invalid: [400, "request size did not match content length"],
  payload_too_large: [413, "request entity too large"],
  unsupported_charset: [415, "unsupported charset"],
  busy: [503, "too many bodies are being received at once; retry later"],
  storage_unavailable: [503, "the message was not stored; retry later"],
  internal: [500, "internal error"],
});
const E = requestErrors;
const retryLater = { "Retry-After": String(RETRY_AFTER_SECONDS) };

// body-parser's error types, and readBody's (intake/body.ts), as their entries
const BODY_PARSER_TYPES: Record<string, ErrorEntry> = {
  "entity.too.large": E.payload_too_large,
  "encoding.unsupported": intakeRefusals.unsupported_content_encoding,
  "charset.unsupported": E.unsupported_charset,
  "request.aborted": E.request_aborted,
  "request.size.invalid": E.request_size_invalid,
  "entity.verify.failed": E.invalid_body,
};

type Issue = { path: string; message: string };
const PART_NAMES = { params: "path parameter", query: "query parameter", body: "body" } as const;

export const requestAnswers = {
  /** A Douane token (`reason`: missing_token, invalid_token…) or an internal credential refused. */
  unauthorized: ({ message, realm, reason }: { message: string; realm: string; reason?: string }) =>
    answer(E.unauthorized, {
      message,
      extra: reason === undefined ? {} : { reason },
      headers: { "WWW-Authenticate": `Bearer realm="${realm}"` },
    }),
  readOnlyCredential: ({ fingerprint, method }: { fingerprint: string; method: string }) =>
    answer(E.read_only_credential, {
      message: `this credential (${fingerprint}) is read-only (INTERNAL_READ_TOKEN): ${method} needs INTERNAL_API_TOKEN`,
    }),
  /** `no destination with id 3`, or `no message about declaration 22823…` with `about`. */
  notFound: (missing: { what: string } & ({ id: number | string } | { about: string })) =>
    answer(E.not_found, {
      message: `no ${missing.what} ${"about" in missing ? `about ${missing.about}` : `with id ${missing.id}`}`,
    }),
  nothingAboutLrn: ({ lrn }: { lrn: string }) =>
    answer(E.not_found, { message: `nothing sent or received about lrn ${lrn}` }),
  noSuchEndpoint: ({ retiredBasePath = false }: { retiredBasePath?: boolean } = {}) =>
    answer(E.not_found, {
      message: retiredBasePath ? `${E.not_found.message}: this base path was retired after a URL move` : undefined,
    }),
  methodNotAllowed: ({ allow }: { allow: string }) => answer(E.method_not_allowed, { headers: { Allow: allow } }),
  tooManyFailures: ({ retryAfterSeconds }: { retryAfterSeconds: number }) =>
    answer(E.too_many_failures, { headers: { "Retry-After": String(retryAfterSeconds) } }),
  /** A request part that fails its schema: `issues` name each bad field. */
  invalidRequest: ({ part, issues }: { part: keyof typeof PART_NAMES; issues: Issue[] }) =>
    answer(E[`invalid_${part}`], {
      message: `invalid ${PART_NAMES[part]}: ${issues.map((issue) => issue.path || part).join(", ")}`,
      extra: { issues },
    }),
  invalidBody: ({ message, issues }: { message: string; issues?: Issue[] }) =>
    answer(E.invalid_body, { message, extra: issues === undefined ? {} : { issues } }),
  /** A body-parser error (by its `type`) as its answer, with body-parser's message; null for another error. */
  fromBodyParser: ({ type, message }: { type?: string; message: string }): HttpError | null =>
    type !== undefined && Object.hasOwn(BODY_PARSER_TYPES, type) ? answer(BODY_PARSER_TYPES[type], { message }) : null,
  /** A client error Express or body-parser reported with its own 4xx status and message. */
  badRequest: ({ status, message }: { status: number; message: string }) =>
    answer({ ...E.bad_request, status }, { message }),
  // The connection is closed after the answer: the rest of a body we will not read is not worth receiving.
  busy: () => answer(E.busy, { headers: { ...retryLater, Connection: "close" } }),
  storageUnavailable: () => answer(E.storage_unavailable, { headers: retryLater }),
  internal: () => answer(E.internal),
};
