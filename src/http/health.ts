import { Router } from "express";

export interface ReadinessCheck {
  ready: boolean;
  checks: Record<string, boolean>;
}

/** `live`: the process answers. `ready`: it can take callbacks (database reachable, migrated, tokens loaded). */
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
