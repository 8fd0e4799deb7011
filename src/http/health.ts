import { Router } from "express";

export interface ReadinessCheck {
  ready: boolean;
  checks: Record<string, boolean>;
}

/**
 * `check`'s result reused for `ttlMs` by the clock, and shared by the calls made while it runs: a flood of probes
 * costs one round of queries a second. Evaluated again at once when `state()` changes (the writer's last commit
 * failed, or succeeded again), so readiness follows the writes without waiting out the cache.
 */
export function cachedReadiness(check: () => Promise<ReadinessCheck>, ttlMs: number, clock: () => Date, state: () => unknown): () => Promise<ReadinessCheck> {
  let cached: { result: Promise<ReadinessCheck>; at: number; state: unknown } | null = null;
  return () => {
    const now = clock().getTime();
    if (cached && cached.state === state() && now - cached.at < ttlMs) return cached.result;
    const entry = { result: check(), at: now, state: state() };
    cached = entry;
    entry.result.catch(() => {
      if (cached === entry) cached = null;
    });
    return entry.result;
  };
}

/** `live`: the process answers. `ready`: it can take callbacks (database reachable, migrated, writable; tokens loaded). */
export function healthRoutes(readiness: () => Promise<ReadinessCheck>): Router {
  const router = Router();
  router.get("/health/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/health/ready", async (_req, res) => {
    const { ready, checks } = await readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", checks });
  });
  return router;
}
