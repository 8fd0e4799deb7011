import { createHash } from "node:crypto";
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
        const prepared = new PreparedNames();
        Object.assign(this, {
          query: (...args: unknown[]) => connections.track(this, query, prepared.named(args)),
        });
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

const PREPARED_MARK = "/* prepared */ ";

/** `sql` marked to run as a named prepared statement on PostgreSQL (see PreparedNames); the mark is a comment. */
export const preparedOnPostgres = (sql: string) => PREPARED_MARK + sql;

/** PostgreSQL keeps a prepared statement's parse tree and plans for its connection's life, about 75 times its text
 *  (700 KB for the 9 KB statement of a 48-message group): at most this much text prepared on one connection, about
 *  30 MB of the server's memory. */
const MAX_PREPARED_TEXT_PER_CONNECTION = 400_000;
/** Prepared from its third use on a connection, so that the texts that recur get the room. */
const USES_BEFORE_PREPARING = 2;
/** Texts whose uses are counted on one connection: a group's text varies with its size (at most 200 messages). */
const MAX_COUNTED_TEXTS = 1_000;

/**
 * The intake's group statement has a VALUES row per message, so its text changes with the group's size, and
 * PostgreSQL parsed and planned its hundreds of parameters at every group: 1.1 to 1.5 ms of a 48-message group's 5 ms
 * round trip, saved by a named statement, parsed once per connection. One connection's names: a marked statement
 * gets one (by its text's hash) from its third use while there is room; pg parses a name's text only the first
 * time it sends it on that connection.
 */
class PreparedNames {
  private readonly uses = new Map<string, number>();
  private readonly names = new Set<string>();
  private preparedText = 0;

  /** A query's arguments, its config given a name when its statement is marked and prepared (or now to be). */
  named(args: unknown[]): unknown[] {
    const config = args[0] as { text?: unknown } | undefined;
    if (typeof config?.text !== "string" || !config.text.startsWith(PREPARED_MARK)) return args;
    const text = config.text;
    const name = `prepared_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    if (!this.names.has(name)) {
      const uses = (this.uses.get(name) ?? 0) + 1;
      if (uses <= USES_BEFORE_PREPARING || this.preparedText + text.length > MAX_PREPARED_TEXT_PER_CONNECTION) {
        if (this.uses.size < MAX_COUNTED_TEXTS) this.uses.set(name, uses);
        return args;
      }
      this.uses.delete(name);
      this.names.add(name);
      this.preparedText += text.length;
    }
    return [{ ...config, name }, ...args.slice(1)];
  }
}
