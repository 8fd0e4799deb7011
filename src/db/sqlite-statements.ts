import type { Database, Statement } from "better-sqlite3";

/** What Prisma's better-sqlite3 adapter does with a prepared statement: `prepare(sql).bind(args)`, then `reader`,
 *  `run()`, `columns()` and `raw().all()`; BEGIN is `prepare("BEGIN").run()`. */
interface AdapterStatement {
  readonly reader: boolean;
  bind(args: unknown[]): AdapterStatement;
  run(): unknown;
  columns(): ReturnType<Statement["columns"]>;
  raw(): { all(): unknown[] };
}

/**
 * Prisma's adapter prepares every statement anew, each call: for the intake's group insert, hundreds of
 * placeholders, 23 µs of the SQLite thread's CPU per callback (profiled in the bench), while the same texts come
 * back all the time (a group of n rows, the declarations, the feed, the deliveries). So the connection keeps the
 * statements it prepared, the most recently used ones up to `keptChars` characters of SQL in all (a prepared
 * statement holds about 31 bytes of memory per character of its text: the group inserts of 1 to 200 rows would
 * hold 49 MB), and gives the adapter each time a fresh binding of one: better-sqlite3 allows `bind()` once per
 * statement, so the arguments are passed to each run instead.
 */
export function keepPreparedStatements(db: Database, keptChars: number): void {
  const statements = new Map<string, Statement<unknown[]>>();
  let chars = 0;
  const prepare = db.prepare.bind(db);
  const preparedOnce = (sql: string) => {
    let statement = statements.get(sql);
    if (statement) statements.delete(sql);
    else {
      statement = prepare<unknown[]>(sql);
      if (sql.length > keptChars) return statement;
      for (const [oldest] of statements) {
        if (chars + sql.length <= keptChars) break;
        statements.delete(oldest);
        chars -= oldest.length;
      }
      chars += sql.length;
    }
    statements.set(sql, statement); // last in the map's order: the most recently used
    return statement;
  };
  db.prepare = ((sql: string) => bound(preparedOnce(sql), [])) as never;
}

function bound(statement: Statement<unknown[]>, args: unknown[]): AdapterStatement {
  return {
    reader: statement.reader,
    bind: (values) => bound(statement, values),
    run: () => statement.run(args),
    columns: () => statement.columns(),
    raw: () => ({ all: () => statement.raw(true).all(args) }),
  };
}
