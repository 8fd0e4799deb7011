import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { Procedure } from "./driver";
import {
  type PerformingAdapter as Adapter,
  connectOnThread,
  type ThreadedTransaction as Transaction,
} from "./sqlite-thread";

/**
 * adapter-better-sqlite3 6.19 runs every client on ONE connection and only makes transactions wait for each
 * other: a plain query issued while an interactive transaction is open runs inside it. An intake INSERT could
 * then be acknowledged and later rolled back with someone else's transaction (Bun's SQLite driver had the
 * same flaw: oven-sh/bun#33581). Here every plain query waits for the open transaction to end, and a
 * transaction waits for the plain queries before it.
 * Consequence: inside `$transaction(async (tx) => …)` use `tx`, never the outer client, or it waits forever.
 * A transaction also takes the write lock as it begins (on the thread: see writeLocked in sqlite-worker.ts).
 */
export class SerializedSqliteAdapterFactory extends PrismaBetterSQLite3 {
  /** The adapter handed to the client, for the queries that go to it directly (see driver.ts). */
  adapter: Adapter | null = null;
  constructor(private readonly config: ConstructorParameters<typeof PrismaBetterSQLite3>[0]) {
    super(config);
  }
  /** The connection runs on its own thread (sqlite-thread.ts); the order rules below hold on this side. */
  override async connect(): Promise<Adapter> {
    this.adapter = serialize(await connectOnThread(this.config));
    return this.adapter;
  }
}

function serialize(adapter: Adapter): Adapter {
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `work` after everything queued before it; returns its result and a release for transactions. */
  const queue = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  return Object.assign(Object.create(adapter) as Adapter, {
    queryRaw: (query: Parameters<Adapter["queryRaw"]>[0]) => queue(() => adapter.queryRaw(query)),
    executeRaw: (query: Parameters<Adapter["executeRaw"]>[0]) => queue(() => adapter.executeRaw(query)),
    executeScript: (script: string) => queue(() => adapter.executeScript(script)),
    perform: <Input, Result>(procedure: Procedure<Input, Result>, input: Input) =>
      queue(() => adapter.perform(procedure, input)),
    startTransaction: (isolationLevel?: Parameters<Adapter["startTransaction"]>[0]) => {
      let release!: () => void;
      const ended = new Promise<void>((resolve) => (release = resolve));
      const started = queue(() => adapter.startTransaction(isolationLevel));
      // The queue stays held until the transaction commits or rolls back.
      tail = started.then(
        () => ended,
        () => undefined,
      );
      return started.then(
        (transaction) => endingWith(transaction, release),
        (error) => {
          release();
          throw error;
        },
      );
    },
  });
}

function endingWith(transaction: Transaction, release: () => void): Transaction {
  return Object.assign(Object.create(transaction) as Transaction, {
    commit: () => transaction.commit().finally(release),
    rollback: () => transaction.rollback().finally(release),
  });
}
