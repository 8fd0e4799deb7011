import type { Request, Response } from "express";
import type { RouteDefinition } from "../http/routes";
import type { PageContext } from "./render";
import type { Session } from "./session";

/** What a page handler gets: the session, its language, and the internal API's own routes to call. */
export interface ConsoleRequest {
  req: Request;
  res: Response;
  session: Session;
  context: PageContext;
  call(
    method: RouteDefinition["method"],
    path: string,
    input?: { params?: unknown; query?: unknown; body?: unknown },
  ): Promise<any>;
  hasRoute(method: RouteDefinition["method"], path: string): boolean;
  render(view: string, data: Record<string, unknown>, status?: number): void;
}

export type ConsoleHandler = (request: ConsoleRequest) => Promise<void>;
