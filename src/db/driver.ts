import { PrismaPg } from "@prisma/adapter-pg";

/** What both adapters offer (SqlDriverAdapter), without importing the transitive driver-adapter-utils. */
type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Query = Parameters<Adapter["queryRaw"]>[0];
type ArgType = Query["argTypes"][number];

/**
 * One transaction's work, run where the connection lives. On the SQLite thread (sqlite-thread.ts) the whole
 * transaction is then one message there and one answer back, instead of a synchronous wait on the event loop for
 * each statement; elsewhere it runs in `DriverSql.transaction`. `module` is the file whose exported `procedures`
 * holds the body under `name`; the input and the result cross threads by structured clone.
 */
export interface Procedure<Input, Result> {
  module: string;
  name: string;
  /** Carries the types only (a method, so a procedure of a narrower input still passes where `unknown` is asked). */
  shape?(input: Input): Result;
}
type ProcedureBody<Input, Result> = (sql: SqlQuery, input: Input) => Promise<Result>;

export function runProcedure<Input, Result>(
  procedure: Procedure<Input, Result>,
  sql: SqlQuery,
  input: Input,
): Promise<Result> {
  const { procedures } = require(procedure.module) as { procedures: Record<string, ProcedureBody<Input, Result>> };
  return procedures[procedure.name](sql, input);
}

/** What the SQLite thread's connection offers besides an adapter's calls (see sqlite-thread.ts). */
export interface Performing {
  perform<Input, Result>(procedure: Procedure<Input, Result>, input: Input): Promise<Result>;
}
export interface Pipelined {
  /** Posted without waiting; should it fail, the transaction's next statement (COMMIT at the latest) fails. */
  executeLater(query: Query): void;
}
type Queryable = Pick<Adapter, "queryRaw" | "startTransaction"> & Partial<Performing>;

/**
 * SQL sent straight to the Prisma driver adapter under the client (the same connection or pool, the same
 * SQLite queue), skipping Prisma's query compiler. The compiler costs about 550 µs of CPU per inserted row
 * (parameters turned to JSON, bodies to base64 and back); the intake's group insert is the one query hot
 * enough for that to matter. Write `?` placeholders; they become `$1…` on PostgreSQL.
 */
export interface SqlQuery {
  query(sql: string, args: unknown[]): Promise<Record<string, unknown>[]>;
  /** A statement whose rows nobody needs. In a SQLite transaction it is not waited for (each wait is a thread
   *  wake-up on the event loop): should it fail, the transaction's next statement or its COMMIT fails instead. */
  send(sql: string, args: unknown[]): Promise<void>;
}

export interface DriverSql extends SqlQuery {
  provider: "sqlite" | "postgresql";
  /** Runs `work` in one transaction on one connection; committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (sql: SqlQuery) => Promise<T>): Promise<T>;
  /** The same for a procedure, run where the connection lives. */
  perform<Input, Result>(procedure: Procedure<Input, Result>, input: Input): Promise<Result>;
}

/** The same `?` SQL inside a Prisma interactive transaction (`db.$transaction(async (tx) => …)`). */
export function prismaSql(
  provider: DriverSql["provider"],
  tx: { $queryRawUnsafe(sql: string, ...args: unknown[]): Promise<unknown> },
): SqlQuery {
  const query = async (sql: string, args: unknown[]) =>
    (await tx.$queryRawUnsafe(numbered(provider, sql), ...args)) as Record<string, unknown>[];
  return { query, send: async (sql, args) => void (await query(sql, args)) };
}

/** `?` → `$1…` for PostgreSQL. Split and joined: a group's statement holds hundreds of placeholders, and a
 *  replace with a callback cost ~60 µs a group. */
const numbered = (provider: DriverSql["provider"], sql: string) => {
  if (provider !== "postgresql") return sql;
  const parts = sql.split("?");
  let text = parts[0];
  for (let n = 1; n < parts.length; n++) text += `$${n}${parts[n]}`;
  return text;
};

export function driverSql(provider: "sqlite" | "postgresql", adapter: () => Queryable): DriverSql {
  const on = (queryable: Pick<Adapter, "queryRaw"> | (Pick<Adapter, "queryRaw"> & Pipelined)): SqlQuery => {
    const statement = (sql: string, args: unknown[]) => {
      const values = args.map(asBuffer);
      return { sql: numbered(provider, sql), args: values, argTypes: values.map(argTypeOf) };
    };
    const query = async (sql: string, args: unknown[]) => {
      const result = await queryable.queryRaw(statement(sql, args));
      return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
    };
    const send =
      "executeLater" in queryable
        ? async (sql: string, args: unknown[]) => queryable.executeLater(statement(sql, args))
        : async (sql: string, args: unknown[]) => void (await query(sql, args));
    return { query, send };
  };
  const driver: DriverSql = {
    provider,
    query: (sql, args) => on(adapter()).query(sql, args),
    send: (sql, args) => on(adapter()).send(sql, args),
    perform(procedure, input) {
      const queryable = adapter();
      if (queryable.perform) return queryable.perform(procedure, input);
      return driver.transaction((sql) => runProcedure(procedure, sql, input));
    },
    async transaction(work) {
      // The adapters' commit() and rollback() only release the connection: the statements are ours to send.
      const tx = await adapter().startTransaction();
      const run = (sql: string) => tx.executeRaw({ sql, args: [], argTypes: [] });
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work(on(tx));
        await run("COMMIT");
      } catch (error) {
        // Also after a failed COMMIT: SQLite keeps the transaction open when COMMIT answers SQLITE_BUSY.
        await run("ROLLBACK").catch(() => undefined);
        await tx.rollback();
        throw error;
      }
      await tx.commit();
      return result;
    },
  };
  return driver;
}

/** A Buffer that crossed to another thread (a call's arguments, a procedure's input) arrives as a plain
 *  Uint8Array; better-sqlite3 binds Buffers (a view, not a copy). */
export const asBuffer = (value: unknown) =>
  value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;

const scalar = (scalarType: ArgType["scalarType"]): ArgType => Object.freeze({ scalarType, arity: "scalar" });
/** Shared, not one object per argument: a group insert has hundreds of arguments. */
const ARG_TYPES = {
  datetime: scalar("datetime"),
  bytes: scalar("bytes"),
  boolean: scalar("boolean"),
  int: scalar("int"),
  float: scalar("float"),
  unknown: scalar("unknown"),
  string: scalar("string"),
};

function argTypeOf(value: unknown): ArgType {
  if (value instanceof Date) return ARG_TYPES.datetime;
  if (Buffer.isBuffer(value)) return ARG_TYPES.bytes;
  if (typeof value === "boolean") return ARG_TYPES.boolean;
  if (typeof value === "number") return Number.isInteger(value) ? ARG_TYPES.int : ARG_TYPES.float;
  return value === null ? ARG_TYPES.unknown : ARG_TYPES.string;
}

/** `?, ?, …`, one per value: an IN list or a VALUES row of this `?` SQL. */
export const placeholders = (values: readonly unknown[]) => values.map(() => "?").join(", ");

/** A write that changes nothing but takes the write lock, as a real write would: the readiness probe, and the
 *  first statement of a SQLite transaction (see sqlite-serialized.ts). */
export const WRITE_PROBE_SQL = `DELETE FROM "Message" WHERE "id" < 0`;

/** A PrismaPg factory that keeps the adapter it hands to the client. */
export class ReachablePgAdapterFactory extends PrismaPg {
  adapter: Adapter | null = null;
  override async connect(): Promise<Adapter> {
    this.adapter = await super.connect();
    return this.adapter;
  }
}
