import { PrismaPg } from "@prisma/adapter-pg";

/** What both adapters offer (SqlDriverAdapter), without importing the transitive driver-adapter-utils. */
type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Queryable = Pick<Adapter, "queryRaw" | "startTransaction">;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;
type ArgType = Parameters<Adapter["queryRaw"]>[0]["argTypes"][number];

/**
 * SQL sent straight to the Prisma driver adapter under the client (the same connection or pool, the same
 * SQLite queue), skipping Prisma's query compiler. The compiler costs about 550 µs of CPU per inserted row
 * (parameters turned to JSON, bodies to base64 and back); the intake's group insert is the one query hot
 * enough for that to matter. Write `?` placeholders; they become `$1…` on PostgreSQL.
 */
export interface DriverSql {
  query(sql: string, args: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs `work` in one transaction (one connection): committed once it resolves, rolled back if it throws. */
  transaction<T>(work: (sql: Pick<DriverSql, "query">) => Promise<T>): Promise<T>;
}

export function driverSql(provider: "sqlite" | "postgresql", adapter: () => Queryable): DriverSql {
  const queryOn = (target: Pick<Adapter, "queryRaw">) => async (sql: string, args: unknown[]) => {
    let n = 0;
    const text = provider === "postgresql" ? sql.replace(/\?/g, () => `$${++n}`) : sql;
    const result = await target.queryRaw({ sql: text, args, argTypes: args.map(argTypeOf) });
    return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
  };
  return {
    query: (sql, args) => queryOn(adapter())(sql, args),
    async transaction(work) {
      const transaction = await adapter().startTransaction();
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work({ query: queryOn(transaction) });
        await run(transaction, "COMMIT");
      } catch (error) {
        // After a failed COMMIT too: SQLite keeps the transaction open when COMMIT fails (SQLITE_BUSY).
        await run(transaction, "ROLLBACK").catch(() => {}); // the first error is the one to report
        await transaction.rollback();
        throw error;
      }
      await transaction.commit();
      return result;
    },
  };
}

/** As Prisma's own transaction manager does: the adapters open with BEGIN but leave COMMIT and ROLLBACK to the
 *  caller; their commit() and rollback() only give the connection back. */
async function run(transaction: Transaction, statement: "COMMIT" | "ROLLBACK"): Promise<void> {
  await transaction.executeRaw({ sql: statement, args: [], argTypes: [] });
}

function argTypeOf(value: unknown): ArgType {
  if (value instanceof Date) return { scalarType: "datetime", arity: "scalar" };
  if (Buffer.isBuffer(value)) return { scalarType: "bytes", arity: "scalar" };
  if (typeof value === "number") return { scalarType: Number.isInteger(value) ? "int" : "float", arity: "scalar" };
  return { scalarType: value === null ? "unknown" : "string", arity: "scalar" };
}

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
