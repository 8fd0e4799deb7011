import { Router } from "express";

export interface ReadinessCheck {
  ready: boolean;
  checks: Record<string, boolean>;
  /** Served APIs with no usable token: every callback to them gets 401, so the service is not ready. */
  apisWithoutUsableToken?: string[];
}

/**
 * `check`'s result reused for `ttlMs` by the clock, and shared by the calls made while it runs: a flood of probes
 * costs one round of queries a second. Evaluated again at once when `state()` changes (the writer's last commit
 * failed, or succeeded again), so readiness follows the writes without waiting out the cache.
 */
export function cachedReadiness(
  check: () => Promise<ReadinessCheck>,
  ttlMs: number,
  clock: () => Date,
  state: () => unknown,
): () => Promise<ReadinessCheck> {
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

/** `live`: the process answers. `ready`: it can take callbacks (database reachable, migrated, writable; a usable token
 *  for every API served). */
export function healthRoutes(readiness: () => Promise<ReadinessCheck>): Router {
  const router = Router();
  router.get("/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/ready", async (_req, res) => {
    const { ready, checks, apisWithoutUsableToken = [] } = await readiness();
    const tokens =
      apisWithoutUsableToken.length === 0
        ? {}
        : {
            apisWithoutUsableToken,
            message: apisWithoutUsableToken.map((api) => `${api}: no usable token, every callback gets 401`).join("; "),
          };
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", checks, ...tokens });
  });
  return router;
}
