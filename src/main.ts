import type { Server } from "node:http";
import { readConfig } from "./config";
import { createLogger } from "./http/logger";
import { createService, listen, portOf } from "./service";

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = await createService(config, logger);
  const publicServer = await listen(service.publicApp, config.PORT, config.HOST);
  logger.info({ port: portOf(publicServer), database: config.database.provider, basePath: config.H7_BASE_PATH }, "listening for Douane callbacks");
  const internalServer = service.internalApp ? await listen(service.internalApp, config.INTERNAL_PORT, config.INTERNAL_HOST) : null;
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
