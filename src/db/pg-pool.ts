import pg from "pg";
import type { DatabaseLimits } from "../config";

/**
 * The pool's options, every wait bounded: connecting (and waiting for a free pooled connection), a statement,
 * a lock, and an answer that never comes. The server answers a statement or lock timeout itself and the
 * connection stays usable; a connection whose answer never comes (a stalled network path keeps the socket
 * open, so neither TCP nor keepalive notices) is dropped by StallDroppingClient, and the pool opens a new one.
 */
export function boundedPoolConfig(url: string, limits: DatabaseLimits): pg.PoolConfig {
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
    Client: StallDroppingClient as unknown as new () => pg.ClientBase,
  };
}

type Callback = (error: Error | null, result?: unknown) => void;

/** pg's query_timeout fails the query but keeps its connection, which then answers the next query with the
 *  late answer of the previous one (or never). Here the connection is destroyed instead: the pool replaces it. */
class StallDroppingClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    const drop = (error: unknown) => {
      if (error instanceof Error && error.message === "Query read timeout") (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    };
    Object.assign(this, {
      query: (...args: unknown[]) => {
        const last = args.at(-1);
        if (typeof last === "function") {
          args[args.length - 1] = (error: Error | null, result?: unknown) => {
            drop(error);
            (last as Callback)(error, result);
          };
          return query(...args);
        }
        const result = query(...args);
        return result instanceof Promise ? result.catch((error: unknown) => (drop(error), Promise.reject(error))) : result;
      },
    });
  }
}
