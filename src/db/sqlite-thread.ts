import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

export type ThreadedAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
export type ThreadedTransaction = Awaited<ReturnType<ThreadedAdapter["startTransaction"]>>;
type Query = Parameters<ThreadedAdapter["queryRaw"]>[0];
type AdapterConfig = ConstructorParameters<typeof PrismaBetterSQLite3>[0];

export type SqliteCall = { id: number; tx?: number } & (
  | { op: "queryRaw" | "executeRaw"; query: Query }
  | { op: "executeScript"; script: string }
  | { op: "startTransaction"; isolationLevel?: Parameters<ThreadedAdapter["startTransaction"]>[0] }
  | { op: "commit" | "rollback" | "dispose" }
);
type ThreadError = { name: string; message: string; stack?: string; code?: unknown; cause?: unknown };
export type SqliteReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ThreadError };

/**
 * better-sqlite3 is synchronous: each statement, the busy wait and above all the fsync of every commit
 * (synchronous=FULL) blocked the event loop, a third of the intake's time. Here the one connection lives on a
 * worker thread running Prisma's own adapter, and this proxy forwards each call to it. The calls stay in order
 * and one at a time per connection as before (see sqlite-serialized.ts, which wraps this proxy); while the
 * thread waits for the disk, the event loop reads and checks the next callbacks.
 */
export async function connectOnThread(config: AdapterConfig): Promise<ThreadedAdapter> {
  const thread = new SqliteThread(config);
  await thread.ready;
  const call = (request: DistributiveOmit<SqliteCall, "id">) => thread.call(request);
  const transactionOf = (tx: number, options: ThreadedTransaction["options"]): ThreadedTransaction => ({
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    options,
    queryRaw: (query) => call({ op: "queryRaw", query, tx }) as never,
    executeRaw: (query) => call({ op: "executeRaw", query, tx }) as never,
    commit: () => call({ op: "commit", tx }) as never,
    rollback: () => call({ op: "rollback", tx }) as never,
  });
  return {
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    queryRaw: (query) => call({ op: "queryRaw", query }) as never,
    executeRaw: (query) => call({ op: "executeRaw", query }) as never,
    executeScript: (script) => call({ op: "executeScript", script }) as never,
    startTransaction: async (isolationLevel) =>
      transactionOf((await call({ op: "startTransaction", isolationLevel })) as number, { usePhantomQuery: false }),
    dispose: async () => {
      await call({ op: "dispose" });
      await thread.stop();
    },
  } as ThreadedAdapter;
}

const ADAPTER_NAME = "@prisma/adapter-better-sqlite3";
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class SqliteThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor(config: AdapterConfig) {
    this.worker = startWorker(config);
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

/** From compiled JavaScript the worker runs its .js file; from TypeScript (tests, tsx) it is compiled on load. */
function startWorker(config: AdapterConfig): Worker {
  const compiled = __filename.endsWith(".js");
  const file = path.join(__dirname, `sqlite-worker${compiled ? ".js" : ".ts"}`);
  if (compiled) return new Worker(file, { workerData: config });
  return new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { eval: true, workerData: config });
}
