import { randomBytes } from "node:crypto";
import type { Db, Tx } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { pageOf } from "../messages/paging";
import type { ConfiguredToken } from "./configured";
import { configuredTokenWarning, statusOf, warningsOf } from "./health";
import {
  checkCancel,
  checkRevoke,
  checkRotate,
  dueToExpire,
  LifecycleRefusal,
  type OldToken,
  oldTokenOf,
  planExtend,
  planSwitch,
  type TokenState,
} from "./lifecycle";
import { isRetired, type TokenStatus, tokenStatusOf } from "./status";
import type { Clock } from "./store";
import { fingerprintOf, hashToken } from "./verify";

export interface Change {
  api: string;
  actor: string;
  reason?: string;
}

const TOKEN_VIEW = {
  id: true,
  api: true,
  fingerprint: true,
  status: true,
  source: true,
  createdAt: true,
  activatedAt: true,
  expiresAt: true,
  revokedAt: true,
  firstSeenAt: true,
  lastSeenAt: true,
  useCount: true,
  retiringSince: true,
  lastRefusedAt: true,
} as const;

/** A row read from the database with its status checked and typed. */
const typed = <R extends { status: string }>(row: R): Omit<R, "status"> & { status: TokenStatus } => ({
  ...row,
  status: tokenStatusOf(row.status),
});

/**
 * Every change to an API's token set, each in one transaction with its audit event. The lifecycle rules are
 * lifecycle.ts's; this file only reads the tokens, asks, and writes. Each change first locks every token row
 * of its API, so changes of one API run one after the other across replicas and the CLI: the guard rules
 * ("last usable token needs force") are decided on what is committed, never on a stale read.
 */
export class TokenAdmin {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly windowMinutes: number,
    private readonly afterChange: () => Promise<void> = async () => {},
    private readonly configured: ConfiguredToken[] = [],
  ) {}

  async list(api: string) {
    return (await this.db.apiToken.findMany({ where: { api }, orderBy: { id: "desc" }, select: TOKEN_VIEW })).map(
      typed,
    );
  }

  async health(api: string) {
    const rows = await this.db.apiToken.findMany({ where: { api } });
    const tokens = rows.map(typed);
    const now = this.clock();
    const warnings = warningsOf(tokens, now);
    for (const { variable, hash } of this.configured.filter((configured) => configured.api === api)) {
      const match = tokens.find((token) => token.tokenHash === hash);
      if (match && isRetired(match.status)) warnings.push(configuredTokenWarning(match, variable));
    }
    return { status: statusOf(tokens, warnings, now), warnings, tokens };
  }

  /** A new pending token: 256 random bits. Its value is returned here and never again. */
  async rotate(change: Change) {
    const token = randomBytes(32).toString("base64url");
    const fingerprint = fingerprintOf(token);
    const created = await this.change(change, async (tx, tokens, now) => {
      checkRotate(tokens);
      const row = await tx.apiToken.create({
        data: {
          api: change.api,
          tokenHash: hashToken(token).toString("hex"),
          fingerprint,
          status: "pending",
          pendingSlot: change.api,
          source: "rotation",
          createdAt: now,
        },
        select: TOKEN_VIEW,
      });
      return {
        row: typed(row),
        event: { tokenId: row.id, event: "rotated" },
        about: tokens.find((token) => token.status === "active")?.id,
      };
    }).catch((error) => {
      // Another replica created a pending token between our read and our insert.
      if (isUniqueViolation(error))
        throw new LifecycleRefusal("pending_exists", "a token is already pending: activate or cancel it first");
      throw error;
    });
    return { token, ...created };
  }

  /** The portal now holds the pending token: it becomes active, the active one retires for the window.
   *  `force` is needed for a token Douane never presented; `presented` says Douane just did (the automatic switch). */
  activate(change: Change & { tokenId: number; force?: boolean; presented?: boolean }) {
    return this.change(change, async (tx, tokens, now) => {
      const plan = planSwitch(
        tokens,
        change.tokenId,
        now,
        this.windowMinutes,
        (change.force ?? false) || (change.presented ?? false),
      );
      if (plan.retire) {
        await this.transition(tx, plan.retire.token.id, "active", {
          status: "retiring",
          activeSlot: null,
          expiresAt: plan.retire.expiresAt,
          retiringSince: now,
        });
      }
      const row = await this.transition(tx, plan.activate.id, "pending", {
        status: "active",
        pendingSlot: null,
        activeSlot: change.api,
        activatedAt: now,
      });
      const detail = plan.retire
        ? { retiringTokenId: plan.retire.token.id, retiringUntil: plan.retire.expiresAt.toISOString() }
        : undefined;
      const event =
        change.force && !change.presented && !plan.activate.firstSeenAt ? "activated (forced)" : "activated";
      return { row, event: { tokenId: row.id, event, detail }, about: plan.retire?.token.id };
    });
  }

  revoke(change: Change & { tokenId: number; force: boolean }) {
    return this.change(change, async (tx, tokens, now) => {
      const token = checkRevoke(tokens, change.tokenId, now, change.force);
      const row = await this.transition(tx, token.id, token.status, {
        status: "revoked",
        activeSlot: null,
        pendingSlot: null,
        revokedAt: now,
      });
      return {
        row,
        event: { tokenId: row.id, event: change.force ? "revoked (forced)" : "revoked" },
        about: token.status === "pending" ? undefined : token.id,
      };
    });
  }

  /** Drops a pending token Douane never presented; the row goes, its audit events stay. */
  cancel(change: Change & { tokenId: number }) {
    return this.change(change, async (tx, tokens) => {
      const token = checkCancel(tokens, change.tokenId);
      const { count } = await tx.apiToken.deleteMany({ where: { id: token.id, status: "pending", firstSeenAt: null } });
      if (count !== 1) throw new LifecycleRefusal("not_pending", `token ${token.fingerprint} changed meanwhile`);
      return {
        row: { id: token.id, fingerprint: token.fingerprint, status: "cancelled" as const },
        event: { tokenId: token.id, event: "cancelled" },
      };
    });
  }

  /** A retiring (or already expired) token is accepted `minutes` longer; the "still in use" warning restarts. */
  extend(change: Change & { tokenId: number; minutes: number }) {
    return this.change(change, async (tx, tokens, now) => {
      const plan = planExtend(tokens, change.tokenId, now, change.minutes);
      const row = await this.transition(tx, plan.token.id, plan.token.status, {
        status: "retiring",
        expiresAt: plan.expiresAt,
        retiringSince: now,
      });
      const detail = {
        minutes: change.minutes,
        from: plan.token.expiresAt?.toISOString() ?? null,
        until: plan.expiresAt.toISOString(),
      };
      return { row, event: { tokenId: row.id, event: "extended", detail }, about: row.id };
    });
  }

  /** Retiring tokens past their expiry become expired. Run by every replica; the conditional update makes it once. */
  async expireDue(api: string): Promise<number> {
    const due = dueToExpire(
      (await this.db.apiToken.findMany({ where: { api, status: "retiring" } })).map(typed),
      this.clock(),
    );
    let expired = 0;
    for (const token of due) {
      await this.db.$transaction(async (tx) => {
        // Conditional on the expiry it was decided on: an extension committed meanwhile wins.
        const { count } = await tx.apiToken.updateMany({
          where: { id: token.id, status: "retiring", expiresAt: { lte: this.clock() } },
          data: { status: "expired" },
        });
        if (count === 1) {
          await tx.tokenEvent.create({
            data: { api, tokenId: token.id, event: "expired", actor: "system", at: this.clock() },
          });
          expired++;
        }
      });
    }
    if (expired > 0) await this.afterChange();
    return expired;
  }

  /** The audit log, newest first, on the lists' cursor contract (messages/paging.ts). */
  async events(api: string, page: { limit: number; cursor?: number }) {
    const rows = await this.db.tokenEvent.findMany({
      where: { api, id: { lt: page.cursor } },
      orderBy: { id: "desc" },
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit, "tokenEvent");
  }

  private async change<T>(
    change: Change,
    /** `about`: the token the answer's oldToken describes (see lifecycle.ts's oldTokenOf). */
    decide: (
      tx: Tx,
      tokens: TokenState[],
      now: Date,
    ) => Promise<{ row: T; event: { tokenId: number; event: string; detail?: unknown }; about?: number }>,
  ): Promise<T & { oldToken: OldToken | null }> {
    const answer = await this.db.$transaction(async (tx) => {
      // The lock: a no-op update takes every token row of the API (PostgreSQL: row locks held to commit;
      // SQLite: the write lock), so a concurrent change waits here and then reads what this one committed.
      await tx.apiToken.updateMany({ where: { api: change.api }, data: { api: change.api } });
      const now = this.clock();
      const tokens = (await tx.apiToken.findMany({ where: { api: change.api }, orderBy: { id: "asc" } })).map(typed);
      const { row, event, about } = await decide(tx, tokens, now);
      await tx.tokenEvent.create({
        data: {
          api: change.api,
          tokenId: event.tokenId,
          event: event.event,
          actor: change.actor,
          reason: change.reason ?? null,
          detail: event.detail === undefined ? null : JSON.stringify(event.detail),
          at: now,
        },
      });
      const after = (await tx.apiToken.findMany({ where: { api: change.api } })).map(typed);
      return { ...row, oldToken: oldTokenOf(after, this.windowMinutes, about) };
    });
    await this.afterChange();
    return answer;
  }

  private async transition(tx: Tx, id: number, from: string, data: Record<string, unknown>) {
    const { count } = await tx.apiToken.updateMany({ where: { id, status: from }, data });
    if (count !== 1)
      throw new LifecycleRefusal("not_usable", `token ${id} is no longer ${from}: another change came first`);
    return typed(await tx.apiToken.findUniqueOrThrow({ where: { id }, select: TOKEN_VIEW }));
  }
}
