import pg from "pg";
import type { DatabaseLimits } from "../config";

/**
 * The pool's options, every wait bounded: connecting (and waiting for a free pooled connection), a statement,
 * a lock, and an answer that never comes. The server answers a statement or lock timeout itself and the
 * connection stays usable; a connection whose answer never comes (a stalled network path keeps the socket
 * open, so neither TCP nor keepalive notices) is destroyed, and the pool opens a new one.
 */
export function boundedPoolConfig(url: string, limits: DatabaseLimits, connections: PgConnections): pg.PoolConfig {
  return {
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: limits.connectMs,
    statement_timeout: limits.statementMs,
    lock_timeout: limits.lockMs,
    idle_in_transaction_session_timeout: limits.statementMs,
    // Later than statement_timeout, so that a slow statement is ended by the server, cleanly.
    query_timeout: limits.statementMs + limits.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveMs,
    Client: connections.Client as unknown as new () => pg.ClientBase,
  };
}

type Callback = (error: Error | null, result?: unknown) => void;
const destroy = (client: pg.Client) =>
  (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

/** The pool's connections, with the queries each waits on. pg's query_timeout fails a query but keeps its
 *  connection, which would then answer the next query with the late answer of the previous one (or never):
 *  here such a connection is destroyed instead, and so is every busy one when the caller says they stall. */
export class PgConnections {
  private readonly waiting = new Map<pg.Client, number>();

  /** Destroys every connection waiting for an answer (a group commit overran: they are presumed stalled). */
  dropBusy(): number {
    const busy = [...this.waiting.keys()];
    busy.forEach(destroy);
    return busy.length;
  }

  readonly Client = ((connections: PgConnections) =>
    class TrackedClient extends pg.Client {
      constructor(config?: pg.ClientConfig) {
        super(config);
        const query = this.query.bind(this) as (...args: unknown[]) => unknown;
        Object.assign(this, { query: (...args: unknown[]) => connections.track(this, query, args) });
      }
    })(this);

  private track(client: pg.Client, query: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    this.waiting.set(client, (this.waiting.get(client) ?? 0) + 1);
    const settled = (error: unknown) => {
      const left = (this.waiting.get(client) ?? 1) - 1;
      if (left > 0) this.waiting.set(client, left);
      else this.waiting.delete(client);
      if (error instanceof Error && error.message === "Query read timeout") destroy(client);
    };
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (error: Error | null, result?: unknown) => {
        settled(error);
        (last as Callback)(error, result);
      };
      return query(...args);
    }
    const result = query(...args);
    if (!(result instanceof Promise)) {
      settled(null); // a Submittable: its own events report; not tracked
      return result;
    }
    return result.then(
      (value) => (settled(null), value),
      (error: unknown) => (settled(error), Promise.reject(error)),
    );
  }
}
