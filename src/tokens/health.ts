import type { TokenState } from "./lifecycle";
import { isRetired, isUsable } from "./status";

/** A pending token unseen this long is probably not in the customs portal. */
const PENDING_UNSEEN_WARNING_MS = 60 * 60_000;
/** Douane's portal propagates a token change within 15 minutes: a retiring token presented later than that
 *  after the switch (or an extension) means some node still holds it. */
const PROPAGATION_DELAY_MS = 15 * 60_000;
/** How long a refused presentation of a retired token keeps the API red. */
const RETIRED_PRESENTED_RED_MS = 30 * 60_000;
/** Rows retired before migration 0005 have no retiringSince: they warn in the window's last 5 minutes, as before. */
const LEGACY_LAST_USE_WARNING_MS = 5 * 60_000;

export interface TokenWarning {
  tokenId: number;
  fingerprint: string;
  code:
    | "pending_unseen"
    | "retiring_still_used"
    | "retired_token_presented"
    | "configured_token_retired"
    | "no_presented_token";
  message: string;
}

export function warningsOf(tokens: TokenState[], now: Date): TokenWarning[] {
  const warnings: TokenWarning[] = [];
  const warn = (token: TokenState, code: TokenWarning["code"], message: string) =>
    warnings.push({ tokenId: token.id, fingerprint: token.fingerprint, code, message });
  for (const token of tokens) {
    if (
      token.status === "pending" &&
      !token.firstSeenAt &&
      now.getTime() - token.createdAt.getTime() >= PENDING_UNSEEN_WARNING_MS
    ) {
      warn(
        token,
        "pending_unseen",
        "pending for over 60 minutes and never presented by Douane: was it entered in the customs portal?",
      );
    }
    if (
      token.status === "retiring" &&
      isUsable(token, now) &&
      token.lastSeenAt &&
      token.lastSeenAt >= stillUsedFrom(token)
    ) {
      warn(
        token,
        "retiring_still_used",
        `still presented by Douane more than 15 minutes after the switch (last at ${token.lastSeenAt.toISOString()}); ` +
          `refused from ${token.expiresAt!.toISOString()}: check the portal holds the new token, or extend the window`,
      );
    }
    if (
      isRetired(token.status) &&
      token.lastRefusedAt &&
      now.getTime() - token.lastRefusedAt.getTime() < RETIRED_PRESENTED_RED_MS
    ) {
      warn(
        token,
        "retired_token_presented",
        `Douane still presents the retired token (last at ${token.lastRefusedAt.toISOString()}), ${token.status}: its callbacks get 401`,
      );
    }
  }
  const pending = tokens.find((token) => token.status === "pending" && !token.firstSeenAt);
  if (pending && !tokens.some((token) => token.status !== "pending" && isUsable(token, now))) {
    warn(
      pending,
      "no_presented_token",
      "the only usable token is pending and Douane has never presented it: callbacks get 401 until the portal holds it",
    );
  }
  return warnings;
}

function stillUsedFrom(token: TokenState): Date {
  if (token.retiringSince) return new Date(token.retiringSince.getTime() + PROPAGATION_DELAY_MS);
  return new Date(token.expiresAt!.getTime() - LEGACY_LAST_USE_WARNING_MS);
}

/** The token configured in the environment (<API>_TOKEN) is a retired one: it seeds nothing and Douane should not hold it. */
export function configuredTokenWarning(token: TokenState, variable: string): TokenWarning {
  return {
    tokenId: token.id,
    fingerprint: token.fingerprint,
    code: "configured_token_retired",
    message: `${variable} is token ${token.fingerprint}, which is ${token.status}: it is refused; remove it from the environment (the token store wins)`,
  };
}

export type ApiStatus = "green" | "yellow" | "red";

/**
 * Like the customs portal's. Red: no usable token Douane is known to hold (a pending token never presented
 * does not count), or Douane presented a retired token within the last 30 minutes. Yellow: a token pending
 * or any warning but a stale configured token. Green otherwise (a retiring token alone is the rotation going
 * as planned).
 */
export function statusOf(tokens: TokenState[], warnings: TokenWarning[], now: Date): ApiStatus {
  const presentable = tokens.some(
    (token) => isUsable(token, now) && !(token.status === "pending" && !token.firstSeenAt),
  );
  if (!presentable || warnings.some((warning) => warning.code === "retired_token_presented")) return "red";
  // A stale <API>_TOKEN in the environment refuses nothing (the store wins): it is said, not coloured.
  const alarming = warnings.filter((warning) => warning.code !== "configured_token_retired");
  return tokens.some((token) => token.status === "pending") || alarming.length > 0 ? "yellow" : "green";
}
