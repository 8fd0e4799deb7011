import path from "node:path";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { Performing, Pipelined, Procedure } from "./driver";

export type ThreadedAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
export type ThreadedTransaction = Awaited<ReturnType<ThreadedAdapter["startTransaction"]>>;
/** The connection on its thread: an adapter that also runs whole procedures there. */
export type PerformingAdapter = ThreadedAdapter & Performing;
type Query = Parameters<ThreadedAdapter["queryRaw"]>[0];
type AdapterConfig = ConstructorParameters<typeof PrismaBetterSQLite3>[0];

export type SqliteCall = { id: number; tx?: number; sync?: boolean } & (
  | { op: "queryRaw" | "executeRaw"; query: Query }
  | { op: "executeScript"; script: string }
  | { op: "startTransaction"; isolationLevel?: Parameters<ThreadedAdapter["startTransaction"]>[0] }
  | { op: "perform"; procedure: Procedure<unknown, unknown>; input: unknown }
  | { op: "commit" | "rollback" | "dispose" }
);
/** The id of a call nobody waits for: the thread sends no answer. */
export const POSTED = -1;
type ThreadError = { name: string; message: string; stack?: string; code?: unknown; cause?: unknown };
export type SqliteReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThreadError };

/**
 * better-sqlite3 is synchronous: each statement, the busy wait and above all the fsync of every commit
 * (synchronous=FULL) blocked the event loop, a third of the intake's time. Here the one connection lives on a
 * worker thread running Prisma's own adapter, and this proxy forwards each call to it. The calls stay in order
 * and one at a time per connection as before (see sqlite-serialized.ts, which wraps this proxy); while the
 * thread waits for the disk, the event loop reads and checks the next callbacks.
 * The intake's group commit and the delivery worker's claims and recordings are procedures (driver.ts): the whole
 * transaction runs here on one message, and its answer comes back asynchronously. Prisma's transactions (ops'
 * actions) go statement by statement: their statements, BEGIN included, are waited for synchronously (each is tens
 * of microseconds of SQLite work; a round trip through the busy event loop cost milliseconds each); only COMMIT,
 * which waits for the disk, and statements sent without waiting (executeLater) go round asynchronously.
 * A lock held by another process (the CLI) makes BEGIN's write probe wait up to the busy timeout, as
 * better-sqlite3 on the event loop's own thread did before.
 */
export async function connectOnThread(config: AdapterConfig): Promise<PerformingAdapter> {
  const thread = new SqliteThread(config);
  await thread.ready;
  const inTransaction = (request: DistributiveOmit<SqliteCall, "id">, sql: string) =>
    answeredLater(sql) ? thread.call(request) : thread.callNow(request);
  const transactionOf = (tx: number, options: ThreadedTransaction["options"]): ThreadedTransaction & Pipelined => ({
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    options,
    queryRaw: (query) => inTransaction({ op: "queryRaw", query, tx }, query.sql) as never,
    executeRaw: (query) => inTransaction({ op: "executeRaw", query, tx }, query.sql) as never,
    // Posted without waiting: the thread runs it in order, and should it fail, the transaction's next statement
    // (its COMMIT at the latest) fails with that error instead of running.
    executeLater: (query) => thread.post({ op: "executeRaw", query, tx }),
    // After COMMIT or ROLLBACK these only release the thread's transaction slot: nothing to wait for, and the
    // next call is behind them in the thread's queue anyway.
    commit: async () => thread.post({ op: "commit", tx }),
    rollback: async () => thread.post({ op: "rollback", tx }),
  });
  return {
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    queryRaw: (query) => thread.call({ op: "queryRaw", query }) as never,
    executeRaw: (query) => thread.call({ op: "executeRaw", query }) as never,
    executeScript: (script) => thread.call({ op: "executeScript", script }) as never,
    perform: (procedure: Procedure<unknown, unknown>, input: unknown) =>
      thread.call({ op: "perform", procedure, input }),
    startTransaction: async (isolationLevel) =>
      transactionOf((await thread.callNow({ op: "startTransaction", isolationLevel })) as number, {
        usePhantomQuery: false,
      }),
    dispose: async () => {
      await thread.call({ op: "dispose" });
      await thread.stop();
    },
  } as PerformingAdapter;
}

const ADAPTER_NAME = "@prisma/adapter-better-sqlite3";
/** In a transaction, what waits for the disk (COMMIT) is not waited for on the event loop. */
const answeredLater = (sql: string) => /^\s*COMMIT\b/i.test(sql);
/** Beyond the busy timeout a synchronous call has surely stalled: it fails rather than freeze the process. */
const SYNC_CALL_LIMIT_MS = 30_000;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class SqliteThread {
  private readonly worker: Worker;
  /** Answers to synchronous calls come on their own port, read with receiveMessageOnPort once `signal` is set. */
  private readonly syncAnswers: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor(config: AdapterConfig) {
    const { port1, port2 } = new MessageChannel();
    this.syncAnswers = port1;
    port1.unref();
    this.worker = startWorker({ config, syncAnswers: port2, signal: this.signal }, [port2]);
    this.ready = new Promise((resolve, reject) => this.waiting.set(0, { resolve: () => resolve(), reject }));
    this.worker.on("message", (reply: SqliteReply) => this.settle(reply));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`the SQLite thread stopped (exit code ${code})`)));
  }

  call(request: DistributiveOmit<SqliteCall, "id">): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    // The thread keeps the process alive only while a call waits for it (a CLI command exits when done).
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** A call whose answer nobody waits for (its failure, if any, is the next call's in its transaction). */
  post(request: DistributiveOmit<SqliteCall, "id">): void {
    if (!this.failure) this.worker.postMessage({ ...request, id: POSTED });
  }

  /** The same call, its answer waited for on this thread: no turn of the event loop between statements. */
  callNow(request: DistributiveOmit<SqliteCall, "id">): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    Atomics.store(this.signal, 0, 0);
    this.worker.postMessage({ ...request, id, sync: true });
    const deadline = performance.now() + SYNC_CALL_LIMIT_MS;
    // A wake-up may be the late notify of the previous call (the thread was descheduled between setting the signal
    // and notifying): until our own answer is there, wait again, the signal left as it is.
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, 0, left) === "timed-out")
        return Promise.reject(new Error(`the SQLite thread did not answer within ${SYNC_CALL_LIMIT_MS} ms`));
      for (
        let received = receiveMessageOnPort(this.syncAnswers);
        received;
        received = receiveMessageOnPort(this.syncAnswers)
      ) {
        const reply = received.message as SqliteReply;
        if (reply.id !== id) continue; // the late answer of a call that timed out
        return reply.ok ? Promise.resolve(reply.value) : Promise.reject(errorOf(reply.error));
      }
    }
  }

  async stop(): Promise<void> {
    this.failure = new Error("the SQLite connection is closed");
    await this.worker.terminate();
  }

  private settle(reply: SqliteReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(errorOf(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

/** The error as thrown on the thread: Prisma recognises a DriverAdapterError by its name and `cause`. */
function errorOf(thrown: ThreadError): Error {
  const error = new Error(thrown.message, thrown.cause === undefined ? {} : { cause: thrown.cause });
  return Object.assign(error, {
    name: thrown.name,
    stack: thrown.stack,
    ...(thrown.code === undefined ? {} : { code: thrown.code }),
  });
}

export interface ThreadData {
  config: AdapterConfig;
  syncAnswers: MessagePort;
  signal: Int32Array;
}

/** From compiled JavaScript the worker runs its .js file; from TypeScript (tests, tsx) it is compiled on load. */
function startWorker(workerData: ThreadData, transferList: MessagePort[]): Worker {
  const compiled = __filename.endsWith(".js");
  const file = path.join(__dirname, `sqlite-worker${compiled ? ".js" : ".ts"}`);
  if (compiled) return new Worker(file, { workerData, transferList });
  const load = `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(file)});`;
  return new Worker(load, { eval: true, workerData, transferList });
}
