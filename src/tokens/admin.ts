import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { checkCancel, checkRevoke, checkRotate, dueToExpire, LifecycleRefusal, planSwitch, statusOf, warningsOf, type TokenState } from "./lifecycle";
import type { Clock } from "./store";
import { fingerprintOf, hashToken } from "./verify";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface Change {
  api: string;
  actor: string;
  reason?: string;
}

const TOKEN_VIEW = {
  id: true, api: true, fingerprint: true, status: true, source: true, createdAt: true, activatedAt: true,
  expiresAt: true, revokedAt: true, firstSeenAt: true, lastSeenAt: true, useCount: true,
} as const;

/**
 * Every change to an API's token set, each in one transaction with its audit event. The lifecycle rules are
 * lifecycle.ts's; this file only reads the tokens, asks, and writes. Updates are conditional on the status
 * they were decided on, so two replicas (or the CLI and a replica) never both win.
 */
export class TokenAdmin {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly windowMinutes: number,
    private readonly afterChange: () => Promise<void> = async () => {},
  ) {}

  list(api: string) {
    return this.db.apiToken.findMany({ where: { api }, orderBy: { id: "desc" }, select: TOKEN_VIEW });
  }

  async health(api: string) {
    const tokens = await this.db.apiToken.findMany({ where: { api } });
    const now = this.clock();
    return { status: statusOf(tokens, now), warnings: warningsOf(tokens, now), tokens };
  }

  /** A new pending token: 256 random bits. Its value is returned here and never again. */
  async rotate(change: Change) {
    const token = randomBytes(32).toString("base64url");
    const fingerprint = fingerprintOf(token);
    const created = await this.change(change, async (tx, tokens, now) => {
      checkRotate(tokens);
      const row = await tx.apiToken.create({
        data: { api: change.api, tokenHash: hashToken(token).toString("hex"), fingerprint, status: "pending", pendingSlot: change.api, source: "rotation", createdAt: now },
        select: TOKEN_VIEW,
      });
      return { row, event: { tokenId: row.id, event: "rotated" } };
    }).catch((error) => {
      // Another replica created a pending token between our read and our insert.
      if (isUniqueViolation(error)) throw new LifecycleRefusal("pending_exists", "a token is already pending: activate or cancel it first");
      throw error;
    });
    return { token, ...created };
  }

  /** The portal now holds the pending token: it becomes active, the active one retires for the window. */
  activate(change: Change & { tokenId: number }) {
    return this.change(change, async (tx, tokens, now) => {
      const plan = planSwitch(tokens, change.tokenId, now, this.windowMinutes);
      if (plan.retire) {
        await this.transition(tx, plan.retire.token.id, "active", { status: "retiring", activeSlot: null, expiresAt: plan.retire.expiresAt });
      }
      const row = await this.transition(tx, plan.activate.id, "pending", { status: "active", pendingSlot: null, activeSlot: change.api, activatedAt: now });
      const detail = plan.retire ? { retiringTokenId: plan.retire.token.id, retiringUntil: plan.retire.expiresAt.toISOString() } : undefined;
      return { row, event: { tokenId: row.id, event: "activated", detail } };
    });
  }

  revoke(change: Change & { tokenId: number; force: boolean }) {
    return this.change(change, async (tx, tokens, now) => {
      const token = checkRevoke(tokens, change.tokenId, now, change.force);
      const row = await this.transition(tx, token.id, token.status, { status: "revoked", activeSlot: null, pendingSlot: null, revokedAt: now });
      return { row, event: { tokenId: row.id, event: change.force ? "revoked (forced)" : "revoked" } };
    });
  }

  /** Drops a pending token Douane never presented; the row goes, its audit events stay. */
  cancel(change: Change & { tokenId: number }) {
    return this.change(change, async (tx, tokens) => {
      const token = checkCancel(tokens, change.tokenId);
      const { count } = await tx.apiToken.deleteMany({ where: { id: token.id, status: "pending", firstSeenAt: null } });
      if (count !== 1) throw new LifecycleRefusal("not_pending", `token ${token.fingerprint} changed meanwhile`);
      return { row: { id: token.id, fingerprint: token.fingerprint, status: "cancelled" as const }, event: { tokenId: token.id, event: "cancelled" } };
    });
  }

  /** Retiring tokens past their expiry become expired. Run by every replica; the conditional update makes it once. */
  async expireDue(api: string): Promise<number> {
    const due = dueToExpire(await this.db.apiToken.findMany({ where: { api, status: "retiring" } }), this.clock());
    let expired = 0;
    for (const token of due) {
      await this.db.$transaction(async (tx) => {
        const { count } = await tx.apiToken.updateMany({ where: { id: token.id, status: "retiring" }, data: { status: "expired" } });
        if (count === 1) {
          await tx.tokenEvent.create({ data: { api, tokenId: token.id, event: "expired", actor: "system", at: this.clock() } });
          expired++;
        }
      });
    }
    if (expired > 0) await this.afterChange();
    return expired;
  }

  async events(api: string, page: { limit: number; beforeId?: number }) {
    const rows = await this.db.tokenEvent.findMany({
      where: { api, ...(page.beforeId ? { id: { lt: page.beforeId } } : {}) },
      orderBy: { id: "desc" },
      take: page.limit + 1,
    });
    return { items: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  private async change<T>(
    change: Change,
    decide: (tx: Tx, tokens: TokenState[], now: Date) => Promise<{ row: T; event: { tokenId: number; event: string; detail?: unknown } }>,
  ): Promise<T> {
    const row = await this.db.$transaction(async (tx) => {
      const now = this.clock();
      const tokens = await tx.apiToken.findMany({ where: { api: change.api } });
      const { row, event } = await decide(tx, tokens, now);
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
      return row;
    });
    await this.afterChange();
    return row;
  }

  private async transition(tx: Tx, id: number, from: string, data: Record<string, unknown>) {
    const { count } = await tx.apiToken.updateMany({ where: { id, status: from }, data });
    if (count !== 1) throw new LifecycleRefusal("not_usable", `token ${id} is no longer ${from}: another change came first`);
    return tx.apiToken.findUniqueOrThrow({ where: { id }, select: TOKEN_VIEW });
  }
}
