import type http from "node:http";
import type { Config } from "../config";

/** What bounds a listener's connections: how many, and how long each may stay silent or slow. */
export interface ListenerLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export const listenerLimitsOf = (config: Config): ListenerLimits => ({
  maxConnections: config.MAX_CONNECTIONS,
  headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
  requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
});

/** Node checks the headers and request timeouts only every `connectionsCheckingInterval` (30 s by default), so a
 *  10 s timeout really fired between 10 and 40 s: checking ten times per timeout makes it within 10 % of itself. */
export function serverOptionsOf(limits: ListenerLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(10, Math.floor(limits.headersTimeoutMs / 10))),
  };
}
