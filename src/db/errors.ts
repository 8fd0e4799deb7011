/** What a database error means to us, whichever path it came by: a Prisma client error (P20xx with the driver
 *  adapter's error in meta), the driver adapter's own error (queries sent straight to it), or the driver's. */

/** The database's own code: a PostgreSQL SQLSTATE or a SQLite extended result code. */
export function databaseCodeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { originalCode?: string; code?: string }; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } };
  const fromAdapter = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.cause?.originalCode ?? e?.cause?.code;
  if (fromAdapter) return fromAdapter;
  return typeof e?.code === "string" && !/^P\d{4}$/.test(e.code) ? e.code : undefined;
}

/** A unique constraint refused the row: someone stored the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  if ((error as { code?: unknown })?.code === "P2002") return true;
  const code = databaseCodeOf(error);
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/**
 * The database refused the row for what it holds (a value out of range, a constraint), not because it could not
 * be reached or was busy: retrying the same row can never succeed. PostgreSQL classes 22 (data exception) and
 * 23 (integrity constraint violation); SQLite's constraint, too-big and type-mismatch codes.
 */
export function refusesData(error: unknown): boolean {
  const code = databaseCodeOf(error);
  if (code === undefined) return false;
  return /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(code);
}

/** SQLite's lock is held by another connection (another process) for longer than the busy timeout. */
export function isSqliteBusy(error: unknown): boolean {
  const code = databaseCodeOf(error) ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || /database is locked/.test(String((error as Error)?.message));
}
