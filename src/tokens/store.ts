import type { Logger } from "pino";
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { isRetired, isUsable, tokenStatusOf } from "./status";
import { fingerprintOf, hashToken, identifyToken, type KnownToken } from "./verify";

export type Clock = () => Date;

/** How long a process may serve from its cached token set: a change made through another replica
 *  (or the CLI) is honoured everywhere within this delay. */
export const TOKEN_CACHE_MS = 5_000;
const USAGE_FLUSH_MS = 1_000;

/** What a presented token gets: accepted, or refused with the reason the metrics and the 401 carry. */
export type Authentication =
  | { accepted: true; token: KnownToken }
  | { accepted: false; reason: "invalid_token" | "expired_token" | "revoked_token"; token: KnownToken | null };

interface Usage {
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** The tokens Douane may present, cached from the database, with their use counted in memory and
 *  written back once a second (a write per callback would halve intake throughput). */
export class TokenStore {
  private known: KnownToken[] = [];
  /** When the token set was last read from the database; null until the first read. */
  loadedAt: Date | null = null;
  private usage = new Map<number, Usage>();
  /** Retired tokens presented since the last flush: token id → last refusal. */
  private refused = new Map<number, Date>();
  private timers: NodeJS.Timeout[] = [];
  private switching = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Called (once per process and token) when Douane first presents a pending token: see tokens/switch.ts. */
    private readonly onPendingTokenUsed: (token: KnownToken) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    this.timers = [
      setInterval(
        () => this.reload().catch((error) => this.logger.warn({ err: error }, "token reload failed")),
        TOKEN_CACHE_MS,
      ),
      setInterval(
        () => this.flushUsage().catch((error) => this.logger.warn({ err: error }, "token usage flush failed")),
        USAGE_FLUSH_MS,
      ),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flushUsage();
  }

  async reload(): Promise<void> {
    // Retired tokens too: a refused call is told apart (expired, revoked) from an unknown token.
    const rows = await this.db.apiToken.findMany();
    this.known = rows.map((row) => ({
      id: row.id,
      api: row.api,
      hash: Buffer.from(row.tokenHash, "hex"),
      fingerprint: row.fingerprint,
      status: tokenStatusOf(row.status),
      expiresAt: row.expiresAt,
    }));
    this.loadedAt = new Date();
  }

  /** Whether `presented` is an accepted token of `api`, and if not, why. */
  authenticate(api: string, presented: string): Authentication {
    const now = this.clock();
    const token = identifyToken(
      this.known.filter((known) => known.api === api),
      presented,
    );
    if (!token) return { accepted: false, reason: "invalid_token", token: null };
    if (!isUsable(token, now)) {
      this.refused.set(token.id, now);
      return { accepted: false, reason: token.status === "revoked" ? "revoked_token" : "expired_token", token };
    }
    this.countUse(token.id);
    if (token.status === "pending" && !this.switching.has(token.id)) {
      this.switching.add(token.id);
      this.onPendingTokenUsed(token)
        .catch((error) =>
          this.logger.error(
            { err: error, api, fingerprint: token.fingerprint },
            "automatic switch to the pending token failed",
          ),
        )
        .finally(() => this.switching.delete(token.id));
    }
    return { accepted: true, token };
  }

  usableTokenCount(api: string): number {
    const now = this.clock();
    return this.known.filter((known) => known.api === api && isUsable(known, now)).length;
  }

  /** On first start, the token configured in the environment becomes the API's active token. */
  async seed(api: string, token: string | undefined): Promise<void> {
    if (token === undefined) return;
    const tokenHash = hashToken(token).toString("hex");
    const existing = await this.db.apiToken.count({ where: { api } });
    if (existing > 0) {
      const same = await this.db.apiToken.findUnique({ where: { tokenHash } });
      if (!same)
        this.logger.warn(
          { api },
          "the configured token is not in the token store: the store wins (see the rotation runbook)",
        );
      const status = same && tokenStatusOf(same.status);
      if (same && status && isRetired(status)) {
        this.logger.warn(
          { api, tokenId: same.id, fingerprint: same.fingerprint, status },
          `the configured token (${api.toUpperCase()}_TOKEN) is a ${status} token: it is refused; remove it from the environment`,
        );
      }
      return;
    }
    const now = this.clock();
    const fingerprint = fingerprintOf(token);
    try {
      await this.db.$transaction(async (tx) => {
        const created = await tx.apiToken.create({
          data: {
            api,
            tokenHash,
            fingerprint,
            status: "active",
            activeSlot: api,
            source: "env",
            createdAt: now,
            activatedAt: now,
          },
        });
        await tx.tokenEvent.create({
          data: { api, tokenId: created.id, event: "seeded", actor: "environment", at: now },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) return; // another replica seeded the same token first
      throw error;
    }
    this.logger.info({ api, fingerprint }, "token store seeded from the environment");
  }

  private countUse(tokenId: number): void {
    const now = this.clock();
    const usage = this.usage.get(tokenId);
    if (usage) {
      usage.count += 1;
      usage.lastSeenAt = now;
    } else {
      this.usage.set(tokenId, { count: 1, firstSeenAt: now, lastSeenAt: now });
    }
  }

  async flushUsage(): Promise<void> {
    const refused = this.refused;
    this.refused = new Map();
    for (const [id, at] of refused) {
      await this.db
        .$executeRaw`UPDATE "ApiToken" SET "lastRefusedAt" = ${at} WHERE "id" = ${id} AND ("lastRefusedAt" IS NULL OR "lastRefusedAt" < ${at})`.catch(
        (error) => {
          // Put every one back (a repeat is harmless: the update only ever moves lastRefusedAt forward).
          for (const [again, when] of refused) if (!this.refused.has(again)) this.refused.set(again, when);
          throw error;
        },
      );
    }
    const pending = this.usage;
    this.usage = new Map();
    for (const [id, usage] of pending) {
      try {
        await this.db.$executeRaw`UPDATE "ApiToken" SET "useCount" = "useCount" + ${usage.count},
          "lastSeenAt" = ${usage.lastSeenAt}, "firstSeenAt" = COALESCE("firstSeenAt", ${usage.firstSeenAt}) WHERE "id" = ${id}`;
      } catch (error) {
        const later = this.usage.get(id);
        this.usage.set(
          id,
          later ? { ...later, count: later.count + usage.count, firstSeenAt: usage.firstSeenAt } : usage,
        );
        throw error;
      }
    }
  }
}
