import type { Server } from "node:http";
import { environmentWithDotEnv, readConfig } from "./config";
import { listenerLimitsOf } from "./http/listener-limits";
import { createLogger } from "./http/logger";
import { createService, listen, portOf } from "./service";

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(environmentWithDotEnv());
  } catch (error) {
    // No configuration, so no LOG_LEVEL yet: still a JSON line, as every other line of the service.
    createLogger("info").fatal((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = await createService(config, logger);
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE ? { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE } : undefined;
  const limits = listenerLimitsOf(config);
  const onDrop = (listener: string) => () => service.metrics.droppedConnections.inc({ listener });
  const publicServer = await listen(service.publicApp, { port: config.PORT, host: config.HOST, tls, limits, deferContinue: true, onDrop: onDrop("public") });
  logger.info({ port: portOf(publicServer), database: config.database.provider, apis: config.apis.map((api) => `${api.name} ${api.basePath}`), tls: Boolean(tls) }, "listening for Douane callbacks");
  const internalServer = service.internalApp ? await listen(service.internalApp, { port: config.INTERNAL_PORT, host: config.INTERNAL_HOST, limits, onDrop: onDrop("internal") }) : null;
  if (internalServer) logger.info({ port: portOf(internalServer), host: config.INTERNAL_HOST }, "internal API listening");

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down: finishing requests in flight");
    await Promise.all([closeServer(publicServer), internalServer && closeServer(internalServer)]);
    await service.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

const SHUTDOWN_GRACE_MS = 25_000;

/** Stops accepting, lets requests in flight finish (their commit included), then resolves. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

main().catch((error) => {
  createLogger("info").fatal({ err: error }, "start-up failed");
  process.exit(1);
});
