import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from "express";
import { errors } from "./error-catalog";

/**
 * A fixed list of middlewares run on `app`'s request and response as `app` would run them (a throw, a rejected
 * promise or `next(error)` goes to the error handlers, in order; past the last handler, 404), but without its
 * router: no layer to match per middleware, no URL parsed again at each. For the path that carries the load, the
 * callbacks, where Express's router cost about a tenth of the event loop's time (bench/README.md).
 */
export function middlewareChain(
  app: Express,
  handlers: RequestHandler[],
  errorHandlers: ErrorRequestHandler[],
): (req: IncomingMessage, res: ServerResponse) => void {
  return (incoming, outgoing) => {
    // What app.handle does before its router: the two objects become Express's request and response.
    const req = Object.setPrototypeOf(incoming, app.request) as Request;
    const res = Object.setPrototypeOf(outgoing, app.response) as Response;
    req.res = res;
    res.req = req;
    res.locals = Object.create(null);
    req.originalUrl = req.url;
    let handlerAt = 0;
    let errorHandlerAt = 0;
    const next = (error?: unknown): void => {
      if (error) {
        const handler = errorHandlers[errorHandlerAt++];
        if (handler) run(() => handler(error, req, res, next));
        return;
      }
      const handler = handlers[handlerAt++];
      // Past the last one, as past the end of app's routes: 404.
      run(() => (handler ? handler(req, res, next) : next(errors.noSuchEndpoint())));
    };
    const run = (call: () => unknown) => {
      try {
        const result = call();
        if (result instanceof Promise) result.then(undefined, (error) => next(error ?? new Error("rejected promise")));
      } catch (error) {
        next(error);
      }
    };
    next();
  };
}
