import type { Server } from "node:http";
import { type Config, environmentWithDotEnv, readConfig } from "./config";
import { DatabaseUnusable } from "./db/client";
import { listenerLimitsOf } from "./http/listener-limits";
import { createLogger } from "./http/logger";
import { createService, listen, portOf } from "./service";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = readConfig(environmentWithDotEnv());
  } catch (error) {
    // No configuration, so no LOG_LEVEL yet: still a JSON line, as every other line of the service.
    createLogger("info").fatal((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = await createService(config, logger);
  const tls =
    config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE }
      : undefined;
  const limits = listenerLimitsOf(config);
  const onDrop = (listener: string) => () => service.metrics.droppedConnections.inc({ listener });
  const publicServer = await listen(service.publicApp, {
    port: config.PORT,
    host: config.HOST,
    tls,
    limits,
    deferContinue: true,
    onDrop: onDrop("public"),
  });
  logger.info(
    {
      port: portOf(publicServer),
      database: config.database.provider,
      apis: config.apis.map((api) => `${api.name} ${api.basePath}`),
      tls: Boolean(tls),
    },
    "listening for Douane callbacks",
  );
  const internalServer = service.internalApp
    ? await listen(service.internalApp, {
        port: config.INTERNAL_PORT,
        host: config.INTERNAL_HOST,
        limits,
        onDrop: onDrop("internal"),
      })
    : null;
  if (internalServer)
    logger.info({ port: portOf(internalServer), host: config.INTERNAL_HOST }, "internal API listening");

  const shutdown = async (signal: string) => {
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "shutting down: finishing requests in flight");
    // Whatever hangs (a stalled database under the pool's end), the process is gone within the bound.
    setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "shutdown did not finish in time: exiting anyway");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    // Requests in flight get most of the bound; closing the database gets the rest.
    const grace = Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.8);
    await Promise.all([closeServer(publicServer, grace), internalServer && closeServer(internalServer, grace)]);
    await service.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

/** Stops accepting, lets requests in flight finish (their commit included) for up to `graceMs`, then resolves. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs).unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

main().catch((error) => {
  // A cause we can name (an unwritable database folder) needs no stack trace.
  createLogger("info").fatal(
    error instanceof DatabaseUnusable ? { cause: error.message } : { err: error },
    "start-up failed",
  );
  process.exit(1);
});
