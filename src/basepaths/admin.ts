import type { Logger } from "pino";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import type { ApiSettings } from "../douane/registry";
import { TOKEN_CACHE_MS } from "../tokens/store";
import { type BasePathRole, type BasePathState, MoveRefusal, moveWarnings, overlaps, retirement } from "./rules";

const DEFAULT_ACCOUNT = "default";
const slot = (api: string) => `${DEFAULT_ACCOUNT}/${api}`;

/**
 * Every change to an API's base paths, each in one transaction with its audit event (in the API's audit log, beside
 * the token events). The unique current/previous slots make "one move at a time per API" the database's rule.
 */
export class BasePathAdmin {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly windowMinutes: number,
    private readonly afterChange: () => Promise<void> = async () => {},
  ) {}

  /** On start: an API with no recorded path gets the environment's. When a move recorded in the database
   *  disagrees with the environment, the database wins (it holds what ops did since) and start-up says so. */
  async seed(apis: ApiSettings[], logger: Logger): Promise<void> {
    for (const api of apis) {
      const current = await this.db.apiBasePath.findUnique({ where: { currentSlot: slot(api.name) } });
      if (!current) {
        await this.db.apiBasePath
          .create({
            data: {
              api: api.name,
              basePath: api.basePath,
              role: "current",
              createdAt: this.clock(),
              currentSlot: slot(api.name),
            },
          })
          .catch((error) => {
            if (!isUniqueViolation(error)) throw error; // another replica seeded it first
          });
      } else if (current.basePath !== api.basePath) {
        logger.warn(
          {
            api: api.name,
            serving: current.basePath,
            environment: api.basePath,
            variable: `${api.envPrefix}_BASE_PATH`,
          },
          `serving ${current.basePath}, the base path a URL move recorded in the database, not ${api.basePath} from ${api.envPrefix}_BASE_PATH: update the variable`,
        );
      }
    }
  }

  async list(api: string): Promise<BasePathState[]> {
    const rows = await this.db.apiBasePath.findMany({
      where: { account: DEFAULT_ACCOUNT, api },
      orderBy: { id: "desc" },
    });
    return rows.map((row) => ({ ...row, role: row.role as BasePathRole }));
  }

  /** The paths still served or retired, newest first, and the move's warnings (yellow while they last). */
  async health(api: string) {
    const paths = (await this.list(api)).filter((path) => path.role !== "cancelled");
    const previous = paths.find((path) => path.role === "previous");
    const retireFrom =
      previous && !retirement(previous, this.clock(), this.windowMinutes).allowed
        ? (retirement(previous, this.clock(), this.windowMinutes) as { notBefore: Date }).notBefore
        : null;
    return { paths, warnings: moveWarnings(paths), retireFrom };
  }

  /** Ops declared a new URL in the portal: from now on both the current and the new path are served. */
  async move(input: {
    api: string;
    basePath: string;
    actor: string;
    reason?: string;
    servedElsewhere: string[];
  }): Promise<BasePathState[]> {
    const now = this.clock();
    const paths = await this.list(input.api);
    const current = paths.find((path) => path.role === "current");
    if (!current) throw new MoveRefusal("no_move", `${input.api} has no base path`);
    if (paths.some((path) => path.role === "previous"))
      throw new MoveRefusal("move_in_progress", `a move of ${input.api} is in progress: retire or cancel it first`);
    if (current.basePath === input.basePath)
      throw new MoveRefusal("same_path", `${input.api} is already served at ${input.basePath}`);
    const clash = input.servedElsewhere.find((other) => overlaps(other, input.basePath));
    if (clash) throw new MoveRefusal("path_in_use", `${input.basePath} overlaps ${clash}, served for another API`);
    try {
      await this.db.$transaction(async (tx) => {
        await tx.apiBasePath.update({
          where: { id: current.id, currentSlot: slot(input.api) },
          data: { role: "previous", currentSlot: null, previousSlot: slot(input.api), movedAt: now },
        });
        await tx.apiBasePath.create({
          data: {
            api: input.api,
            basePath: input.basePath,
            role: "current",
            createdAt: now,
            currentSlot: slot(input.api),
          },
        });
        await this.audit(tx, input.api, "url_move_declared", input.actor, input.reason, {
          from: current.basePath,
          to: input.basePath,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error) || (error as { code?: string }).code === "P2025")
        throw new MoveRefusal("move_in_progress", `another move of ${input.api} came first`);
      throw error;
    }
    await this.afterChange();
    return this.list(input.api);
  }

  /** Retires the previous path once the portal's delay is over and Douane has stopped calling it; earlier with force. */
  async retire(input: { api: string; actor: string; reason?: string; force?: boolean }): Promise<BasePathState[]> {
    const previous = (await this.list(input.api)).find((path) => path.role === "previous");
    if (!previous) throw new MoveRefusal("no_move", `no move of ${input.api} is in progress`);
    const verdict = retirement(previous, this.clock(), this.windowMinutes);
    if (!verdict.allowed && !input.force) throw verdict.refusal;
    await this.end(
      previous,
      "retired",
      input.force && !verdict.allowed ? "url_retired_by_force" : "url_retired",
      input.actor,
      input.reason,
    );
    return this.list(input.api);
  }

  /** Goes back to the previous path: the new one is no longer served. */
  async cancel(input: { api: string; actor: string; reason?: string }): Promise<BasePathState[]> {
    const paths = await this.list(input.api);
    const previous = paths.find((path) => path.role === "previous");
    const current = paths.find((path) => path.role === "current");
    if (!previous || !current) throw new MoveRefusal("no_move", `no move of ${input.api} is in progress`);
    await this.db.$transaction(async (tx) => {
      await tx.apiBasePath.update({
        where: { id: current.id },
        data: { role: "cancelled", currentSlot: null, retiredAt: this.clock() },
      });
      await tx.apiBasePath.update({
        where: { id: previous.id },
        data: { role: "current", previousSlot: null, currentSlot: slot(input.api), movedAt: null },
      });
      await this.audit(tx, input.api, "url_move_cancelled", input.actor, input.reason, {
        kept: previous.basePath,
        dropped: current.basePath,
      });
    });
    await this.afterChange();
    return this.list(input.api);
  }

  /** The maintenance job's step: a previous path whose window is over and that Douane no longer calls is retired. */
  async retireDue(api: string): Promise<void> {
    const previous = (await this.list(api)).find((path) => path.role === "previous");
    if (previous && retirement(previous, this.clock(), this.windowMinutes).allowed) {
      await this.end(previous, "retired", "url_retired", "maintenance", "window over, no call for 30 minutes");
    }
  }

  private async end(
    previous: BasePathState,
    role: "retired",
    event: string,
    actor: string,
    reason?: string,
  ): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.apiBasePath.updateMany({
        where: { id: previous.id, role: "previous" },
        data: { role, previousSlot: null, retiredAt: this.clock() },
      });
      if (count === 1) await this.audit(tx, previous.api, event, actor, reason, { basePath: previous.basePath });
    });
    await this.afterChange();
  }

  private audit(
    tx: Pick<Db, "tokenEvent">,
    api: string,
    event: string,
    actor: string,
    reason: string | undefined,
    detail: object,
  ) {
    return tx.tokenEvent.create({
      data: {
        api,
        tokenId: null,
        event,
        actor,
        reason: reason ?? null,
        detail: JSON.stringify(detail),
        at: this.clock(),
      },
    });
  }
}

/** Every few seconds: an old base path whose window is over and that Douane no longer calls is retired. */
export function startMoveMaintenance(admin: BasePathAdmin, apis: string[], logger: Logger): () => void {
  const timer = setInterval(() => {
    Promise.all(apis.map((api) => admin.retireDue(api))).catch((error) =>
      logger.warn({ err: error }, "URL move maintenance failed"),
    );
  }, TOKEN_CACHE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
