import { Router } from "express";

export interface ReadinessCheck {
  ready: boolean;
  checks: Record<string, boolean>;
  /** Served APIs with no usable token: every callback to them gets 401, so the service is not ready. */
  apisWithoutUsableToken?: string[];
}

/** `live`: the process answers. `ready`: it can take callbacks (database reachable, migrated, a usable token
 *  for every API served). */
export function healthRoutes(readiness: () => Promise<ReadinessCheck>): Router {
  const router = Router();
  router.get("/health/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/health/ready", async (_req, res) => {
    const { ready, checks, apisWithoutUsableToken = [] } = await readiness();
    const tokens = apisWithoutUsableToken.length === 0 ? {} : {
      apisWithoutUsableToken,
      message: apisWithoutUsableToken.map((api) => `${api}: no usable token, every callback gets 401`).join("; "),
    };
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", checks, ...tokens });
  });
  return router;
}
