import { PrismaPg } from "@prisma/adapter-pg";

/** What both adapters offer (SqlDriverAdapter), without importing the transitive driver-adapter-utils. */
type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Queryable = Pick<Adapter, "queryRaw" | "startTransaction">;
type ArgType = Parameters<Adapter["queryRaw"]>[0]["argTypes"][number];

/**
 * SQL sent straight to the Prisma driver adapter under the client (the same connection or pool, the same
 * SQLite queue), skipping Prisma's query compiler. The compiler costs about 550 µs of CPU per inserted row
 * (parameters turned to JSON, bodies to base64 and back); the intake's group insert is the one query hot
 * enough for that to matter. Write `?` placeholders; they become `$1…` on PostgreSQL.
 */
export interface SqlQuery {
  query(sql: string, args: unknown[]): Promise<Record<string, unknown>[]>;
}

export interface DriverSql extends SqlQuery {
  provider: "sqlite" | "postgresql";
  /** Runs `work` in one transaction on one connection; committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (sql: SqlQuery) => Promise<T>): Promise<T>;
}

/** The same `?` SQL inside a Prisma interactive transaction (`db.$transaction(async (tx) => …)`). */
export function prismaSql(
  provider: DriverSql["provider"],
  tx: { $queryRawUnsafe(sql: string, ...args: unknown[]): Promise<unknown> },
): SqlQuery {
  return {
    async query(sql, args) {
      const rows = (await tx.$queryRawUnsafe(numbered(provider, sql), ...args)) as Record<string, unknown>[];
      return rows;
    },
  };
}

const numbered = (provider: DriverSql["provider"], sql: string) => {
  let n = 0;
  return provider === "postgresql" ? sql.replace(/\?/g, () => `$${++n}`) : sql;
};

export function driverSql(provider: "sqlite" | "postgresql", adapter: () => Queryable): DriverSql {
  const on = (queryable: Pick<Adapter, "queryRaw">): SqlQuery => ({
    async query(sql, args) {
      const result = await queryable.queryRaw({ sql: numbered(provider, sql), args, argTypes: args.map(argTypeOf) });
      return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
    },
  });
  return {
    provider,
    query: (sql, args) => on(adapter()).query(sql, args),
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
}

function argTypeOf(value: unknown): ArgType {
  if (value instanceof Date) return { scalarType: "datetime", arity: "scalar" };
  if (Buffer.isBuffer(value)) return { scalarType: "bytes", arity: "scalar" };
  if (typeof value === "boolean") return { scalarType: "boolean", arity: "scalar" };
  if (typeof value === "number") return { scalarType: Number.isInteger(value) ? "int" : "float", arity: "scalar" };
  return { scalarType: value === null ? "unknown" : "string", arity: "scalar" };
}

/** Put before a statement that may run for long (a scan): on SQLite it is then never waited for synchronously
 *  on the event loop inside a transaction (see sqlite-thread.ts). A comment: harmless to PostgreSQL. */
export const MAY_RUN_LONG = "/* may run long */ ";

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
