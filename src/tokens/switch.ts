import type { Logger } from "pino";
import type { TokenAdmin } from "./admin";
import { LifecycleRefusal } from "./lifecycle";
import type { KnownToken } from "./verify";

/** Douane presents the new token only once the portal holds it: its first use is the switch. Logged at info
 *  with ids and fingerprints (never a value), since it changes what the old token is worth. */
export function automaticSwitch(admin: TokenAdmin, logger: Logger): (token: KnownToken) => Promise<void> {
  return async (token) => {
    try {
      const { oldToken } = await admin.activate({
        api: token.api,
        tokenId: token.id,
        actor: "douane",
        reason: "first callback with the pending token",
        presented: true,
      });
      logger.info(
        {
          api: token.api,
          tokenId: token.id,
          fingerprint: token.fingerprint,
          retiringTokenId: oldToken?.id ?? null,
          retiringFingerprint: oldToken?.fingerprint ?? null,
          retiringUntil: oldToken?.acceptedUntil?.toISOString() ?? null,
        },
        "switched to the pending token on Douane's first callback with it",
      );
    } catch (error) {
      if (!(error instanceof LifecycleRefusal)) throw error; // another replica switched first
    }
  };
}
