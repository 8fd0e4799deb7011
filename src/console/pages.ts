import { messageQuery } from "../messages/routes";
import { languages } from "./i18n";
import type { ConsoleHandler, ConsoleRequest } from "./request";

const MESSAGE_FILTERS = Object.keys(messageQuery.shape).filter(
  (name) => !["limit", "cursor", "validation"].includes(name),
);

/** The query a person typed, without the empty fields a GET form sends. */
function filledIn(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].trim() !== "",
    ),
  );
}

const words = (request: ConsoleRequest) => languages[request.context.language];

/** What `status` and GET /v1/apis say, per API: the same report, rendered. */
const overview: ConsoleHandler = async (request) => {
  const apis = await request.call("get", "/v1/apis");
  request.render("overview", { heading: words(request).overview, apis: apis.items });
};

const messages: ConsoleHandler = async (request) => {
  const query = filledIn(request.req.query as Record<string, unknown>);
  const page = await request.call("get", "/v1/messages", { query: { limit: "50", ...query } });
  const next = new URLSearchParams({ ...query, cursor: page.nextCursor ?? "" });
  request.render("messages", {
    heading: words(request).messages,
    fields: MESSAGE_FILTERS,
    query,
    items: page.items,
    nextCursor: page.nextCursor,
    nextHref: `/console/messages?${next}`,
  });
};

const message: ConsoleHandler = async (request) => {
  const found = await request.call("get", "/v1/messages/:id", { params: request.req.params });
  request.render("message", { heading: `${words(request).messages} #${found.id}`, message: found });
};

const messageRaw: ConsoleHandler = async (request) => {
  request.res.attachment(`message-${request.req.params.id}.json`);
  await request.call("get", "/v1/messages/:id/raw", { params: request.req.params });
};

/** A declaration's timeline from any of its references: the customs reference itself, or an lrn or mrn that a
 *  stored message names (resolved through the same message filters as the API). */
const declaration: ConsoleHandler = async (request) => {
  const ref = String(request.req.query.ref ?? "").trim();
  let reference = ref;
  for (const key of ["lrn", "mrn", "customsDeclarationReference"]) {
    const found = await request.call("get", "/v1/messages", { query: { [key]: ref, limit: "20" } });
    const named = found.items.find(
      (item: { customsDeclarationReference: string | null }) => item.customsDeclarationReference,
    );
    if (named) {
      reference = named.customsDeclarationReference;
      break;
    }
  }
  const timeline = await request.call("get", "/v1/declarations/:customsDeclarationReference", {
    params: { customsDeclarationReference: reference },
  });
  request.render("declaration", {
    heading: `${words(request).timelineFor} ${timeline.customsDeclarationReference}`,
    timeline,
  });
};

const closedLabel = (row: { acceptedAt: string | null; dismissedAt?: string | null }) =>
  row.acceptedAt ? "accepted" : row.dismissedAt ? "dismissed" : "open";

const quarantine: ConsoleHandler = async (request) => {
  const query = filledIn(request.req.query as Record<string, unknown>);
  const page = await request.call("get", "/v1/quarantine", { query: { limit: "50", ...query } });
  const next = page.nextCursor
    ? `/console/quarantine?${new URLSearchParams({ ...query, cursor: page.nextCursor })}`
    : null;
  request.render("quarantine", {
    heading: words(request).quarantine,
    items: page.items.map((row: any) => ({ ...row, closed: closedLabel(row) })),
    nextHref: next,
  });
};

const quarantined: ConsoleHandler = async (request) => {
  const row = await request.call("get", "/v1/quarantine/:id", { params: request.req.params });
  request.render("quarantined", {
    heading: `${words(request).quarantine} #${row.id}`,
    row,
    closed: closedLabel(row),
    open: closedLabel(row) === "open",
    canDismiss: request.hasRoute("post", "/v1/quarantine/:id/dismiss"),
  });
};

const quarantinedRaw: ConsoleHandler = async (request) => {
  request.res.attachment(`quarantine-${request.req.params.id}.bin`);
  await request.call("get", "/v1/quarantine/:id/raw", { params: request.req.params });
};

const tokens: ConsoleHandler = async (request) => {
  const apis = await request.call("get", "/v1/apis");
  const detailed = await Promise.all(
    apis.items.map(async (api: { api: string }) => {
      const list = await request.call("get", "/v1/apis/:api/tokens", { params: { api: api.api } });
      const events = await request.call("get", "/v1/apis/:api/tokens/events", {
        params: { api: api.api },
        query: { limit: "50" },
      });
      return { api: api.api, tokens: list.items, warnings: list.warnings, events: events.items };
    }),
  );
  request.render("tokens", {
    heading: words(request).tokens,
    apis: detailed,
    canExtend: request.hasRoute("post", "/v1/apis/:api/tokens/:id/extend"),
  });
};

export const consolePages: { path: string; handler: ConsoleHandler }[] = [
  { path: "/console", handler: overview },
  { path: "/console/messages", handler: messages },
  { path: "/console/messages/:id", handler: message },
  { path: "/console/messages/:id/raw", handler: messageRaw },
  { path: "/console/declarations", handler: declaration },
  { path: "/console/quarantine", handler: quarantine },
  { path: "/console/quarantine/:id", handler: quarantined },
  { path: "/console/quarantine/:id/raw", handler: quarantinedRaw },
  { path: "/console/tokens", handler: tokens },
];
