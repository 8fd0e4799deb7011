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

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down: finishing requests in flight");
    await closeServer(publicServer);
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
