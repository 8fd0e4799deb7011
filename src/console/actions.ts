import { languages } from "./i18n";
import type { ConsoleHandler, ConsoleRequest } from "./request";

type Words = (typeof languages)["fr"];
interface Field {
  name: string;
  label: keyof Words;
  type?: string;
  required?: boolean;
  value?: string;
}

/** Every change goes through a confirmation page (GET) whose form posts the change (POST, CSRF-checked). */
interface Action {
  path: string;
  question: keyof Words;
  fields: Field[];
  backHref: (params: Record<string, string>) => string;
  perform: (request: ConsoleRequest, form: Record<string, string>) => Promise<void>;
}

const reason: Field = { name: "reason", label: "reason" };

const actions: Action[] = [
  {
    path: "/console/quarantine/:id/accept",
    question: "confirmAccept",
    fields: [{ ...reason, required: true }],
    backHref: ({ id }) => `/console/quarantine/${id}`,
    perform: async (request, form) => {
      const message = await request.call("post", "/v1/quarantine/:id/accept", {
        params: request.req.params,
        body: { reason: form.reason },
      });
      request.res.redirect(303, `/console/messages/${message.id}`);
    },
  },
  {
    path: "/console/quarantine/:id/dismiss",
    question: "confirmDismiss",
    fields: [{ ...reason, required: true }],
    backHref: ({ id }) => `/console/quarantine/${id}`,
    perform: async (request, form) => {
      await request.call("post", "/v1/quarantine/:id/dismiss", {
        params: request.req.params,
        body: { reason: form.reason },
      });
      request.res.redirect(303, `/console/quarantine/${request.req.params.id}`);
    },
  },
  {
    path: "/console/tokens/:api/rotate",
    question: "confirmRotate",
    fields: [reason],
    backHref: () => "/console/tokens",
    perform: async (request, form) => {
      const created = await request.call("post", "/v1/apis/:api/tokens", {
        params: request.req.params,
        body: optional(form),
      });
      request.res.setHeader("Cache-Control", "no-store");
      request.render(
        "token-created",
        { heading: languages[request.context.language].rotate, token: created.token },
        201,
      );
    },
  },
  {
    path: "/console/tokens/:api/:id/cancel",
    question: "confirmCancel",
    fields: [],
    backHref: () => "/console/tokens",
    perform: async (request) => {
      await request.call("delete", "/v1/apis/:api/tokens/:id", { params: request.req.params });
      request.res.redirect(303, "/console/tokens");
    },
  },
  {
    path: "/console/tokens/:api/:id/revoke",
    question: "confirmRevoke",
    fields: [reason],
    backHref: () => "/console/tokens",
    perform: async (request, form) => {
      await request.call("post", "/v1/apis/:api/tokens/:id/revoke", {
        params: request.req.params,
        body: optional(form),
      });
      request.res.redirect(303, "/console/tokens");
    },
  },
  {
    path: "/console/tokens/:api/:id/extend",
    question: "extend",
    fields: [{ name: "minutes", label: "minutes", type: "number", required: true, value: "30" }, reason],
    backHref: () => "/console/tokens",
    perform: async (request, form) => {
      const body = { ...optional({ reason: form.reason }), minutes: Number(form.minutes) };
      await request.call("post", "/v1/apis/:api/tokens/:id/extend", { params: request.req.params, body });
      request.res.redirect(303, "/console/tokens");
    },
  },
];

/** The form without its CSRF field and without empty optional fields. */
function optional(form: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(form).filter(([name, value]) => name !== "_csrf" && value.trim() !== ""));
}

export const consoleActions: { method: "get" | "post"; path: string; handler: ConsoleHandler }[] = actions.flatMap(
  (action) => [
    {
      method: "get" as const,
      path: action.path,
      handler: async (request: ConsoleRequest) => {
        const words = languages[request.context.language];
        request.render("confirm", {
          heading: words[action.question],
          question: words[action.question],
          action: request.req.originalUrl.split("?")[0],
          fields: action.fields.map((field) => ({ ...field, label: words[field.label] })),
          backHref: action.backHref(request.req.params as Record<string, string>),
        });
      },
    },
    {
      method: "post" as const,
      path: action.path,
      handler: (request: ConsoleRequest) => action.perform(request, request.req.body ?? {}),
    },
  ],
);
