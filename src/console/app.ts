import express, { type Request, type Response, Router } from "express";
import helmet from "helmet";
import { HttpError } from "../http/error-catalog";
import { setEarlier } from "../http/locals";
import { type RouteDefinition, runRoute } from "../http/routes";
import { consoleActions } from "./actions";
import { languageOf, languages } from "./i18n";
import { consolePages } from "./pages";
import { ASSETS_DIR, type PageContext, renderPage } from "./render";
import type { ConsoleHandler, ConsoleRequest } from "./request";
import { actorOf, ConsoleSessions, SESSION_HOURS, type Session } from "./session";

declare global {
  namespace Express {
    interface Locals {
      /** The signed-in person's session, from its cookie: set for every page behind the sign-in. */
      session?: Session;
    }
  }
}

const SESSION_COOKIE = "console_session";
const LOGIN_COOKIE = "console_login";
const LANGUAGE_COOKIE = "console_lang";

export interface ConsoleDeps {
  routes: RouteDefinition[];
  adminCredentials: string[];
  readCredentials: string[];
  clock?: () => Date;
}

/** The ops console at /console: server-rendered pages over the same route handlers as the JSON API. */
export function consoleRouter(deps: ConsoleDeps): Router {
  const sessions = new ConsoleSessions(deps.adminCredentials, deps.readCredentials, deps.clock);
  const router = Router();
  // Scripts and styles from our own files only; no upgrade to https, since the internal listener is plain HTTP
  // on a private address.
  router.use(
    "/console",
    helmet.contentSecurityPolicy({ directives: { "style-src": ["'self'"], "upgrade-insecure-requests": null } }),
  );
  router.use("/console/assets", express.static(ASSETS_DIR, { index: false, fallthrough: false }));
  router.use("/console", express.urlencoded({ extended: false, limit: "32kb" }));

  router.get("/console/language", (req, res) => {
    res.cookie(LANGUAGE_COOKIE, languageOf(req.query.to), { httpOnly: true, sameSite: "strict", path: "/console" });
    res.redirect(303, "/console");
  });
  router.get("/console/login", (req, res) => {
    const csrf = sessions.loginNonce();
    res.cookie(LOGIN_COOKIE, csrf, { httpOnly: true, sameSite: "strict", path: "/console", secure: req.secure });
    res.send(
      renderPage("login", contextOf(req, null, csrf), {
        heading: languages[languageOf(cookie(req, LANGUAGE_COOKIE))].signIn,
      }),
    );
  });
  router.post("/console/login", (req, res) => {
    const language = languageOf(cookie(req, LANGUAGE_COOKIE));
    const expected = cookie(req, LOGIN_COOKIE);
    const session =
      expected && req.body?._csrf === expected
        ? sessions.signIn(String(req.body.credential ?? ""), String(req.body.name ?? ""))
        : null;
    if (!session) {
      const csrf = sessions.loginNonce();
      res.cookie(LOGIN_COOKIE, csrf, { httpOnly: true, sameSite: "strict", path: "/console", secure: req.secure });
      res.status(401).send(
        renderPage("login", contextOf(req, null, csrf), {
          heading: languages[language].signIn,
          error:
            expected && req.body?._csrf === expected
              ? languages[language].signInFailed
              : languages[language].csrfRefused,
        }),
      );
      return;
    }
    res.clearCookie(LOGIN_COOKIE, { path: "/console" });
    res.cookie(SESSION_COOKIE, sessions.seal(session), {
      httpOnly: true,
      sameSite: "strict",
      path: "/console",
      secure: req.secure,
      maxAge: SESSION_HOURS * 3600_000,
    });
    res.redirect(303, "/console");
  });

  const guarded = Router();
  guarded.use("/console", (req, res, next) => {
    const session = sessions.open(cookie(req, SESSION_COOKIE));
    if (!session) return void res.redirect(303, "/console/login");
    res.locals.session = session;
    if (req.method === "POST" && !sessions.checkCsrf(session, req.body?._csrf)) {
      return void refuse(req, res, session, 403, languages[languageOf(cookie(req, LANGUAGE_COOKIE))].csrfRefused);
    }
    if (req.method === "POST" && req.originalUrl !== "/console/logout" && session.role !== "admin") {
      return void refuse(req, res, session, 403, languages[languageOf(cookie(req, LANGUAGE_COOKIE))].forbidden);
    }
    next();
  });
  guarded.post("/console/logout", (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: "/console" });
    res.redirect(303, "/console/login");
  });
  const handle = (handler: ConsoleHandler) => async (req: Request, res: Response) => {
    const session = setEarlier(res, "session");
    const context = contextOf(req, session, sessions.csrfToken(session));
    const request: ConsoleRequest = {
      req,
      res,
      session,
      context,
      call: (method, path, input = {}) => {
        const route = deps.routes.find((candidate) => candidate.method === method && candidate.path === path);
        if (!route) throw new Error(`no internal route ${method} ${path}`);
        return runRoute(route, {
          params: input.params ?? {},
          query: input.query ?? {},
          body: input.body ?? {},
          actor: actorOf(session),
          req,
          res,
        });
      },
      hasRoute: (method, path) =>
        deps.routes.some((candidate) => candidate.method === method && candidate.path === path),
      render: (view, data, status = 200) => void res.status(status).send(renderPage(view, context, data)),
    };
    try {
      await handler(request);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      request.render("error", { heading: `${error.status}`, error: error.message }, error.status);
    }
  };
  for (const page of consolePages) guarded.get(page.path, handle(page.handler));
  for (const action of consoleActions) guarded[action.method](action.path, handle(action.handler));
  router.use(guarded);
  return router;

  function refuse(req: Request, res: Response, session: Session, status: number, message: string): void {
    res.status(status).send(
      renderPage("error", contextOf(req, session, sessions.csrfToken(session)), {
        heading: String(status),
        error: message,
      }),
    );
  }
}

function contextOf(req: Request, session: Session | null, csrf: string): PageContext {
  return { language: languageOf(cookie(req, LANGUAGE_COOKIE)), session, csrf, path: req.path };
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}
