import { PrismaPg } from "@prisma/adapter-pg";

/** What both adapters offer (SqlDriverAdapter), without importing the transitive driver-adapter-utils. */
type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Queryable = Pick<Adapter, "queryRaw">;
type ArgType = Parameters<Adapter["queryRaw"]>[0]["argTypes"][number];

/**
 * SQL sent straight to the Prisma driver adapter under the client (the same connection or pool, the same
 * SQLite queue), skipping Prisma's query compiler. The compiler costs about 550 µs of CPU per inserted row
 * (parameters turned to JSON, bodies to base64 and back); the intake's group insert is the one query hot
 * enough for that to matter. Write `?` placeholders; they become `$1…` on PostgreSQL.
 */
export interface DriverSql {
  query(sql: string, args: unknown[]): Promise<Record<string, unknown>[]>;
}

export function driverSql(provider: "sqlite" | "postgresql", adapter: () => Queryable): DriverSql {
  return {
    async query(sql, args) {
      let n = 0;
      const text = provider === "postgresql" ? sql.replace(/\?/g, () => `$${++n}`) : sql;
      const result = await adapter().queryRaw({ sql: text, args, argTypes: args.map(argTypeOf) });
      return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
    },
  };
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
