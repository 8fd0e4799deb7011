import { parentPort, workerData } from "node:worker_threads";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { Database } from "better-sqlite3";
import { asBuffer, driverSql, runProcedure, WRITE_PROBE_SQL } from "./driver";
import { keepPreparedStatements } from "./sqlite-statements";
import {
  POSTED,
  type SqliteCall,
  type SqliteReply,
  type ThreadData,
  type ThreadedAdapter,
  type ThreadedTransaction,
} from "./sqlite-thread";

/**
 * The SQLite connection's own thread (see sqlite-thread.ts): Prisma's better-sqlite3 adapter, unchanged, answering
 * the calls the main thread forwards one by one. Statements, the busy wait and the fsync of every commit happen
 * here, off the event loop that serves the callbacks.
 */
async function serve(): Promise<void> {
  const port = parentPort!;
  const { config, syncAnswers, signal } = workerData as ThreadData;
  const adapter = (await new PrismaBetterSQLite3(config).connect()) as unknown as ThreadedAdapter & {
    client: Database;
  };
  keepPreparedStatements(adapter.client, STATEMENTS_KEPT_CHARS);
  const answer = (call: SqliteCall, reply: SqliteReply) => {
    if (!call.sync) return port.postMessage(reply);
    syncAnswers.postMessage(reply);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const transactions = new Map<number, ThreadedTransaction>();
  // A procedure's transaction runs here on the thread's own connection: each statement a direct call.
  const procedureSql = driverSql("sqlite", () => ({
    queryRaw: (query) => adapter.queryRaw(query),
    startTransaction: async (isolationLevel) => writeLocked(await adapter.startTransaction(isolationLevel)),
  }));
  let nextTransaction = 1;

  /** The failure of a statement posted without waiting (id -1), kept for its transaction's next call. */
  const failedEarlier = new Map<number, Error>();

  const run = async (call: SqliteCall): Promise<unknown> => {
    const earlier = call.tx === undefined ? undefined : failedEarlier.get(call.tx);
    if (earlier && !endsTransaction(call)) throw earlier;
    const on = call.tx === undefined ? adapter : transactions.get(call.tx);
    if (!on) throw new Error(`no open SQLite transaction ${call.tx}`);
    switch (call.op) {
      case "queryRaw":
        return on.queryRaw(withBuffers(call.query));
      case "executeRaw":
        return on.executeRaw(withBuffers(call.query));
      case "executeScript":
        return adapter.executeScript(call.script);
      case "startTransaction": {
        const id = nextTransaction++;
        transactions.set(id, await writeLocked(await adapter.startTransaction(call.isolationLevel)));
        return id;
      }
      case "commit":
      case "rollback":
        transactions.delete(call.tx!);
        failedEarlier.delete(call.tx!);
        return (on as ThreadedTransaction)[call.op]();
      case "perform":
        return procedureSql.transaction((sql) => runProcedure(call.procedure, sql, call.input));
      case "dispose":
        return adapter.dispose();
    }
  };

  const failure = (call: SqliteCall, error: Error & { code?: unknown }): SqliteReply => ({
    id: call.id,
    ok: false,
    error: { name: error.name, message: error.message, stack: error.stack, code: error.code, cause: error.cause },
  });
  const settle = async (call: SqliteCall) => {
    let reply: SqliteReply;
    try {
      reply = { id: call.id, ok: true, value: await run(call) };
    } catch (error) {
      if (call.id !== POSTED) return answer(call, failure(call, error as Error));
      if (call.tx !== undefined) failedEarlier.set(call.tx, error as Error);
      return;
    }
    if (call.id === POSTED) return;
    try {
      answer(call, reply);
    } catch (error) {
      answer(call, failure(call, error as Error)); // a result that cannot cross threads (DataCloneError)
    }
  };
  // One call at a time, each settled before the next starts: a posted statement's failure is known to the next.
  let previous: Promise<void> = Promise.resolve();
  port.on("message", (call: SqliteCall) => {
    previous = previous.then(() => settle(call));
  });
  port.postMessage({ id: 0, ok: true, value: "ready" } satisfies SqliteReply);
}

/** About 8 MB of prepared statements: the group inserts of up to 50 rows or so (each size its own text) and the
 *  service's other statements. */
const STATEMENTS_KEPT_CHARS = 250_000;

/** ROLLBACK, and the release that follows COMMIT or ROLLBACK, run even after a posted statement failed. */
const endsTransaction = (call: SqliteCall) =>
  call.op === "commit" ||
  call.op === "rollback" ||
  (call.op === "executeRaw" && /^\s*ROLLBACK\b/i.test(call.query.sql));

/** The adapter's BEGIN is DEFERRED: a transaction that read first and wrote after another process (the CLI beside
 *  the service) committed would fail at once with SQLITE_BUSY_SNAPSHOT, without waiting for the busy timeout.
 *  So every transaction takes the write lock as it begins. */
async function writeLocked(transaction: ThreadedTransaction): Promise<ThreadedTransaction> {
  try {
    await transaction.executeRaw({ sql: WRITE_PROBE_SQL, args: [], argTypes: [] });
    return transaction;
  } catch (error) {
    await transaction.executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] }).catch(() => undefined);
    await transaction.rollback();
    throw error;
  }
}

/** Buffers arrive as plain Uint8Arrays; better-sqlite3 binds Buffers (a view, not a copy). */
function withBuffers(query: { args: unknown[] }) {
  return { ...query, args: query.args.map(asBuffer) } as never;
}

void serve();
