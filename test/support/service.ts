import type { RequestListener } from "node:http";
import { Writable } from "node:stream";
import request from "supertest";
import { type Config, readConfig } from "../../src/config";
import { createLogger } from "../../src/http/logger";
import { createService, type Service, type ServiceOptions } from "../../src/service";
import { createTestDatabase, type Provider, type TestDatabase } from "./databases";

export const TEST_TOKEN = "test-token-5mQ0c3Vv9kq2bPz1xY7wR4tL";
export const INTERNAL_TOKEN = "internal-token-Lq3x9VbN2mK8pR4s";

export interface TestService extends Service {
  logs: string[];
  /** Every log line so far, as one string: handy to assert a secret never appears. */
  logText(): string;
  stop(): Promise<void>;
}

/** A migrated, empty database of `provider` and the whole service on it, logs captured. */
export async function startTestService(
  provider: Provider,
  env: Record<string, string> = {},
  clock?: () => Date,
  testDatabase?: TestDatabase,
  options: Pick<ServiceOptions, "delivery"> = {},
): Promise<TestService & { testDatabase: TestDatabase }> {
  const owned = testDatabase === undefined;
  const db = testDatabase ?? (await createTestDatabase(provider));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const read = readConfig({ H7_TOKEN: TEST_TOKEN, INTERNAL_API_TOKEN: INTERNAL_TOKEN, LOG_LEVEL: "debug", ...env });
  const config: Config = { ...read, database: { ...db.database, limits: read.database.limits } };
  const service = await createService(config, createLogger(config.LOG_LEVEL, sink), {
    clock,
    migrate: false,
    ...options,
  });
  return {
    ...service,
    testDatabase: db,
    logs,
    logText: () => logs.join(""),
    async stop() {
      await service.close();
      if (owned) await db.drop();
    },
  };
}

/** POSTs a body (an object is sent as JSON text) with the test token unless told otherwise. */
export function postCallback(
  app: RequestListener,
  path: string,
  body: unknown,
  options: { token?: string | null; header?: string; contentType?: string } = {},
) {
  const { token = TEST_TOKEN, header = "authorization", contentType = "application/json" } = options;
  let call = request(app).post(path).set("Content-Type", contentType);
  if (token !== null) call = call.set(header, header === "authorization" ? `Bearer ${token}` : token);
  // superagent would JSON-encode a Buffer sent as application/json: bytes go out untouched instead.
  if (Buffer.isBuffer(body)) return call.serialize((bytes: Buffer) => bytes as unknown as string).send(body);
  return call.send(typeof body === "string" ? body : JSON.stringify(body));
}

/** A request to the internal API with its credential. */
export function internal(service: Service) {
  if (!service.internalApp) throw new Error("the internal API is off: INTERNAL_API_TOKEN is not set");
  const app = service.internalApp;
  const auth = (call: request.Test) => call.set("Authorization", `Bearer ${INTERNAL_TOKEN}`);
  return {
    get: (path: string) => auth(request(app).get(path)),
    post: (path: string, body: object = {}) => auth(request(app).post(path)).send(body),
    patch: (path: string, body: object = {}) => auth(request(app).patch(path)).send(body),
    delete: (path: string) => auth(request(app).delete(path)),
  };
}
