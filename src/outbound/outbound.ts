import type { Logger } from "pino";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Metrics } from "../http/metrics";
import { credentialsReader } from "./credentials";
import { overdueCounts } from "./expectations";
import { Reconciler } from "./reconcile";
import type { SubmitterDeps } from "./submissions";
import { AccessTokenClient, type TokenStatus } from "./token-client";

export interface Outbound {
  /** Null when DOUANE_TOKEN_URL is not set: nothing can be sent to Douane. */
  submitter: SubmitterDeps | null;
  tokens: AccessTokenClient | null;
  reconciler: Reconciler;
  returnTimeoutMinutes: number;
  clock: () => Date;
  status(): Promise<OutboundStatus>;
  stop(): Promise<void>;
}

interface OutboundStatus {
  status: "green" | "yellow" | "red";
  enabled: boolean;
  token: TokenStatus | null;
  overdueExpectations: number;
  reasons: string[];
}

/** The outbound direction's parts, built once from the configuration. */
export function createOutbound(
  config: Config,
  db: Db,
  deps: { clock: () => Date; logger: Logger; metrics: Metrics },
): Outbound {
  const { clock, logger, metrics } = deps;
  const tokens = config.DOUANE_TOKEN_URL
    ? new AccessTokenClient({
        tokenUrl: config.DOUANE_TOKEN_URL,
        credentials: credentialsReader(config),
        timeoutMs: config.OUTBOUND_REQUEST_TIMEOUT_SECONDS * 1000,
        refusedBackoffMs: config.DOUANE_REFUSED_BACKOFF_MINUTES * 60_000,
        clock,
        onRequest: (outcome) => {
          metrics.douaneTokenRequests.inc({ outcome });
          if (outcome === "refused")
            logger.error("Douane's authorization server refused the API account's credentials: token requests paused");
        },
      })
    : null;
  const reconciler = new Reconciler(db, logger, (count) => logger.info({ closed: count }, "expected returns received"));
  reconciler.start(config.OUTBOUND_RECONCILE_SECONDS * 1000);
  const submitter: SubmitterDeps | null = tokens
    ? {
        db,
        tokens,
        douaneUrl: config.H7_DOUANE_URL,
        timeoutMs: config.OUTBOUND_REQUEST_TIMEOUT_SECONDS * 1000,
        returnTimeoutMinutes: config.OUTBOUND_RETURN_TIMEOUT_MINUTES,
        clock,
        onOutcome: (operation, outcome) => metrics.douaneSubmissions.inc({ operation, outcome }),
        onExpectation: () => reconciler.nudge(),
      }
    : null;
  return {
    submitter,
    tokens,
    reconciler,
    returnTimeoutMinutes: config.OUTBOUND_RETURN_TIMEOUT_MINUTES,
    clock,
    async status() {
      const overdue = [...(await overdueCounts(db, clock())).values()].reduce((sum, count) => sum + count, 0);
      const token = tokens?.status() ?? null;
      const reasons = [
        ...(token?.reason ? [token.reason] : []),
        ...(overdue > 0
          ? [`${overdue} expected Douane returns are overdue: see GET /v1/expectations?status=overdue`]
          : []),
      ];
      const status = token?.status === "red" ? "red" : token?.status === "yellow" || overdue > 0 ? "yellow" : "green";
      return { status, enabled: tokens !== null, token, overdueExpectations: overdue, reasons };
    },
    stop: () => reconciler.stop(),
  };
}
