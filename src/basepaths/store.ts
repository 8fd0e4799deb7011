import type { Logger } from "pino";
import type { Db } from "../db/client";
import { TOKEN_CACHE_MS } from "../tokens/store";
import type { BasePathRole } from "./rules";

export interface ServedPath {
  id: number;
  api: string;
  basePath: string;
  role: BasePathRole;
}

const EVIDENCE_FLUSH_MS = 1_000;

/**
 * The base paths the public listener answers on, cached from the database like the tokens (a move made through
 * another replica or the CLI is served everywhere within 5 s), and the calls each path gets, counted in memory
 * and written back once a second: the evidence that tells when Douane has switched to a new URL.
 */
export class BasePathStore {
  private paths: ServedPath[] = [];
  private calls = new Map<number, { count: number; lastCallAt: Date }>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timers = [
      setInterval(
        () => this.reload().catch((error) => this.logger.warn({ err: error }, "base path reload failed")),
        TOKEN_CACHE_MS,
      ),
      setInterval(
        () => this.flush().catch((error) => this.logger.warn({ err: error }, "base path evidence flush failed")),
        EVIDENCE_FLUSH_MS,
      ),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flush().catch((error) => this.logger.warn({ err: error }, "base path evidence flush failed"));
  }

  async reload(): Promise<void> {
    const rows = await this.db.apiBasePath.findMany({
      where: { role: { in: ["current", "previous", "retired"] } },
      orderBy: { id: "desc" },
    });
    this.paths = rows.map((row) => ({
      id: row.id,
      api: row.api,
      basePath: row.basePath,
      role: row.role as BasePathRole,
    }));
  }

  /** The path a request falls under, exact case, on a segment boundary; the most recent row wins for one path. */
  match(requestPath: string): ServedPath | null {
    let best: ServedPath | null = null;
    for (const path of this.paths) {
      const under = requestPath === path.basePath || requestPath.startsWith(`${path.basePath}/`);
      if (under && (!best || path.basePath.length > best.basePath.length)) best = path;
    }
    return best;
  }

  served(api: string): ServedPath[] {
    return this.paths.filter((path) => path.api === api && path.role !== "retired");
  }

  recordCall(path: ServedPath): void {
    const seen = this.calls.get(path.id);
    this.calls.set(path.id, { count: (seen?.count ?? 0) + 1, lastCallAt: this.clock() });
  }

  async flush(): Promise<void> {
    const pending = [...this.calls];
    this.calls.clear();
    for (const [id, { count, lastCallAt }] of pending) {
      await this.db.apiBasePath.update({ where: { id }, data: { callCount: { increment: count } } });
      // Conditional: another replica may have written a later call already.
      await this.db.apiBasePath.updateMany({
        where: { id, OR: [{ lastCallAt: null }, { lastCallAt: { lt: lastCallAt } }] },
        data: { lastCallAt },
      });
    }
  }
}
