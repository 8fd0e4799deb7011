import type { Config } from "../config";
import type { Db } from "../db/client";
import { probeWrite } from "../db/client";
import { withDeadline } from "../db/deadline";
import { appliedMigrationCount, shippedMigrationCount } from "../db/migrate";
import type { ReadinessCheck } from "../http/health";

export const READINESS_CACHE_MS = 1_000;

/** Ready: the database answers, holds every migration we ship, would take a write now (a table lock, a
 *  read-only file or a stalled connection all fail it), and the tokens are loaded. Each check is bounded. */
export function readinessCheck(
  db: Db,
  config: Config,
  tokensLoaded: () => boolean,
  withoutUsableToken: () => string[],
): () => Promise<ReadinessCheck> {
  const migrationsShipped = shippedMigrationCount(config.database.provider);
  const bound = <T>(work: Promise<T>, what: string) => withDeadline(work, config.DB_STATEMENT_TIMEOUT_MS, what);
  return async () => {
    const [applied, writable] = await Promise.all([
      bound(appliedMigrationCount(db), "the migration count").catch(() => null),
      bound(probeWrite(db), "the write probe").then(
        () => true,
        () => false,
      ),
    ]);
    const apisWithoutUsableToken = withoutUsableToken();
    const checks = {
      database: applied !== null,
      migrations: applied !== null && applied >= migrationsShipped,
      writes: writable,
      tokens: tokensLoaded() && apisWithoutUsableToken.length === 0,
    };
    return { ready: Object.values(checks).every(Boolean), checks, apisWithoutUsableToken };
  };
}
