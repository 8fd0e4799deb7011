import type { Logger } from "pino";
import type { TokenAdmin } from "./admin";
import { TOKEN_CACHE_MS } from "./store";

/** Every few seconds: retiring tokens past their expiry become expired, and each new warning is logged once. */
export function startTokenMaintenance(admin: TokenAdmin, apis: string[], logger: Logger): () => void {
  const logged = new Set<string>();
  const run = async () => {
    for (const api of apis) {
      await admin.expireDue(api);
      const { warnings } = await admin.health(api);
      for (const warning of warnings) {
        const key = `${warning.tokenId}:${warning.code}`;
        if (logged.has(key)) continue;
        logged.add(key);
        logger.warn({ api, fingerprint: warning.fingerprint, code: warning.code }, `token warning: ${warning.message}`);
      }
    }
  };
  const timer = setInterval(
    () => run().catch((error) => logger.warn({ err: error }, "token maintenance failed")),
    TOKEN_CACHE_MS,
  );
  timer.unref();
  return () => clearInterval(timer);
}
