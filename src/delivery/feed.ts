import { z } from "zod";
import type { Db } from "../db/client";
import type { DriverSql } from "../db/driver";
import { defineRoute, type RouteDefinition } from "../http/routes";
import { queryParameters } from "../messages/paging";
import { eventsOf } from "./event";

const POLL_MS = 250; // how soon a wait sees a message another replica committed

/** Wakes the feed's waiting requests when this replica commits messages. */
export class FeedSignal {
  private waiters = new Set<() => void>();
  notify(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
  /** Resolves at the next notify() or after `ms`, whichever comes first. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }
}

/** Stored messages after `after`, in feed order (commit order, gap-free: see enqueue.ts). */
async function readFeed(db: Db, sql: DriverSql, after: number, limit: number) {
  const entries = await db.feedEntry.findMany({
    where: { position: { gt: after } },
    orderBy: { position: "asc" },
    take: limit,
  });
  const events = await eventsOf(
    sql,
    sql.provider,
    entries.map((entry) => entry.messageRowId),
  );
  // a message removed since (retention) leaves its position empty: the position still moves on
  const items = entries.flatMap((entry) =>
    events.has(entry.messageRowId) ? [{ position: entry.position, ...events.get(entry.messageRowId)! }] : [],
  );
  return { items, nextPosition: entries.length > 0 ? entries[entries.length - 1].position : after };
}

export function feedRoutes(db: Db, sql: DriverSql, signal: FeedSignal): RouteDefinition[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/feed",
      summary:
        "Stored messages oldest first in commit order, each with its position; pass nextPosition as `after` to go on. Exact across replicas: nothing committed is ever skipped.",
      tag: "delivery",
      query: queryParameters({
        after: z.coerce.number().int().min(0).default(0).describe("the last position already read (0: from the start)"),
        limit: z.coerce.number().int().min(1).max(500).default(100).describe("page size, 1 to 500"),
        wait: z.coerce
          .number()
          .int()
          .min(0)
          .max(30)
          .default(0)
          .describe("seconds to hold the request while nothing new is committed"),
      }),
      response: z.object({
        items: z
          .array(z.object({ position: z.number() }).catchall(z.unknown()))
          .describe("{position, type, timestamp, data}: the webhook event"),
        nextPosition: z.number(),
      }),
      handler: async ({ query, res }) => {
        const deadline = Date.now() + query.wait * 1000;
        let aborted = false;
        res.once("close", () => (aborted = true)); // the consumer went away
        for (;;) {
          const page = await readFeed(db, sql, query.after, query.limit);
          if (page.items.length > 0 || page.nextPosition > query.after || Date.now() >= deadline || aborted)
            return page;
          await signal.next(Math.min(POLL_MS, deadline - Date.now()));
        }
      },
    }),
  ];
}
