import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "pino";
import type { Config } from "./config";
import { openDatabase, type Db } from "./db/client";
import { applyMigrations } from "./db/migrate";
import { apisOf } from "./intake/apis";
import { createPublicApp } from "./intake/app";
import { createInternalApp } from "./internal/app";
import { messageRoutes } from "./messages/routes";
import { MessageWriter } from "./messages/writer";
import { TokenStore, type Clock } from "./tokens/store";

export interface Service {
  config: Config;
  db: Db;
  tokens: TokenStore;
  publicApp: Express;
  /** Null when INTERNAL_API_TOKEN is not set: without a credential there is no way in, so no listener. */
  internalApp: Express | null;
  close(): Promise<void>;
}

/** Builds the whole service on a migrated database, without listening: tests drive it with supertest. */
export async function createService(config: Config, logger: Logger, clock: Clock = () => new Date()): Promise<Service> {
  await applyMigrations(config.database);
  const db = await openDatabase(config.database);
  const apis = apisOf(config);
  const tokens = new TokenStore(db, clock, logger);
  await tokens.seed("h7", config.H7_TOKEN);
  await tokens.start();
  for (const api of apis) {
    if (tokens.usableTokenCount(api.name) === 0) logger.warn({ api: api.name }, "no usable token: every callback will be refused with 401");
  }
  const writer = new MessageWriter(db);
  const publicApp = createPublicApp({
    apis,
    db,
    tokens,
    writer,
    validationMode: config.VALIDATION_MODE,
    maxBodyBytes: config.MAX_BODY_BYTES,
    logger,
    clock,
  });
  if (!config.INTERNAL_API_TOKEN) logger.warn("INTERNAL_API_TOKEN is not set: the internal API listener stays off");
  const internalApp = config.INTERNAL_API_TOKEN
    ? createInternalApp({ db, credentials: config.INTERNAL_API_TOKEN, routes: [...messageRoutes(db)], logger })
    : null;
  return {
    config,
    db,
    tokens,
    publicApp,
    internalApp,
    async close() {
      await tokens.stop();
      await db.$disconnect();
    },
  };
}

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

export const portOf = (server: Server) => (server.address() as AddressInfo).port;
