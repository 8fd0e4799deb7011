import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import pino from "pino";
import request from "supertest";
import { errors } from "../../src/http/error-catalog";
import { errorHandler } from "../../src/http/errors";
import { middlewareChain } from "../../src/http/middleware-chain";

const answerError = errorHandler(pino({ level: "silent" }));
const chain = (handlers: RequestHandler[], errorHandlers: ErrorRequestHandler[] = [answerError]) =>
  middlewareChain(express().set("trust proxy", "loopback"), handlers, errorHandlers);

describe("a middleware chain run without the app's router", () => {
  it("runs its handlers in order on the app's request and response", async () => {
    const seen: string[] = [];
    const listener = chain([
      (req, res, next) => {
        seen.push(`first ${req.path}`);
        res.locals.actor = "first";
        next();
      },
      async (req, res) => {
        await Promise.resolve();
        // Express's own request and response: the app's trust proxy setting, res.status and res.json.
        res.status(201).json({ ip: req.ip, actor: res.locals.actor, originalUrl: req.originalUrl });
      },
    ]);
    const { status, body } = await request(listener).get("/a/b?c=1").set("X-Forwarded-For", "203.0.113.9");
    expect(status).toBe(201);
    expect(body).toEqual({ ip: "203.0.113.9", actor: "first", originalUrl: "/a/b?c=1" });
    expect(seen).toEqual(["first /a/b"]);
  });

  it("takes a thrown error, a rejected promise and next(error) to the error handlers, skipping the handlers left", async () => {
    const failures: Record<string, RequestHandler> = {
      thrown: () => {
        throw errors.methodNotAllowed({ allow: "POST" });
      },
      rejected: async () => {
        await Promise.resolve();
        throw errors.methodNotAllowed({ allow: "POST" });
      },
      passed: (_req, _res, next) => next(errors.methodNotAllowed({ allow: "POST" })),
    };
    for (const [how, failing] of Object.entries(failures)) {
      const reached: string[] = [];
      const listener = chain(
        [failing, (_req, res) => void res.status(200).end()],
        [
          (error, _req, _res, next) => {
            reached.push("first error handler");
            next(error);
          },
          answerError,
        ],
      );
      const { status, headers, body } = await request(listener).post("/");
      expect({ how, status, allow: headers.allow, code: body.error, reached }).toEqual({
        how,
        status: 405,
        allow: "POST",
        code: "method_not_allowed",
        reached: ["first error handler"],
      });
    }
  });

  it("answers 404 past its last handler, as past the end of an app's routes", async () => {
    const listener = chain([(_req, _res, next) => next()]);
    const { status, body } = await request(listener).get("/anything");
    expect(status).toBe(404);
    expect(body.error).toBe("not_found");
  });
});
