import fs from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { DEFAULT_MESSAGE_ID_PLACES, parseMessageIdPlaces } from "./douane/generic/contract";
import { type ApiSettings, douaneApis } from "./douane/registry";

const MIB = 1024 * 1024;

const secret = (what: string) => z.string().min(1).optional().describe(what);
const file = (what: string) =>
  z.string().min(1).optional().describe(`a file holding ${what}, re-read when it changes (wins over the variable)`);
const minutes = (what: string, fallback: number) => z.coerce.number().int().min(1).default(fallback).describe(what);

/** Douane's own H7 server. A receiver whose H7_DOUANE_URL names another (the sandbox) is a test instance. */
const DOUANE_H7_URL = "https://edi.douane.gouv.fr/dh7";

/** The outbound direction (operator → Douane): OAuth2 access tokens, tracked submissions, expected returns. */
const outboundSchema = {
  H7_DOUANE_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ""))
    .default(DOUANE_H7_URL)
    .describe("Douane's H7 server: declarations/creer and demandes/invalider are under it"),
  DOUANE_TOKEN_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "the authorization server's token endpoint (given to contracted operators); unset: outbound submissions are off",
    ),
  DOUANE_GRANT: z
    .enum(["password", "client_credentials"])
    .default("password")
    .describe(
      "password: the API account's username and password with the client id/secret; client_credentials: the client alone",
    ),
  DOUANE_CLIENT_AUTH: z
    .enum(["basic", "body"])
    .default("basic")
    .describe("how the client id and secret travel: HTTP Basic (RFC 6749 §2.3.1) or form fields"),
  DOUANE_SCOPE: z.string().min(1).optional().describe("scope asked for, if Douane wants one"),
  DOUANE_CLIENT_ID: secret("the OAuth2 client id"),
  DOUANE_CLIENT_ID_FILE: file("the client id"),
  DOUANE_CLIENT_SECRET: secret("the OAuth2 client secret"),
  DOUANE_CLIENT_SECRET_FILE: file("the client secret"),
  DOUANE_USERNAME: secret("the API account's username (password grant)"),
  DOUANE_USERNAME_FILE: file("the username"),
  DOUANE_PASSWORD: secret("the API account's password (password grant)"),
  DOUANE_PASSWORD_FILE: file("the password"),
  DOUANE_REFUSED_BACKOFF_MINUTES: minutes(
    "after a refused credential, minutes without any token request (unless the credentials change)",
    15,
  ),
  OUTBOUND_REQUEST_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(30)
    .describe("per call to Douane, token requests included"),
  OUTBOUND_RETURN_TIMEOUT_MINUTES: minutes(
    "minutes after sending within which Douane's returns are expected; past it, overdue",
    60,
  ),
  OUTBOUND_RECONCILE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe("how often stored messages are matched against open expectations"),
};
const milliseconds = (fallback: number) =>
  z.coerce.number().int().min(100, "must be at least 100 (milliseconds)").default(fallback);

/** Comma-separated bearer credentials (two at once while one is rotated), at least 16 characters each. */
const credentialList = () =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token !== ""),
    )
    .pipe(z.array(z.string().min(16, "each comma-separated token must be at least 16 characters")).min(1))
    .optional();

const environmentSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_URL: z
      .string()
      .regex(
        /^(file:|postgres(ql)?:\/\/)/,
        "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)",
      )
      .default("file:./data/receiver.db"),
    VALIDATION_MODE: z.enum(["reject", "flag"]).default("reject"),
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(5 * MIB),
    MAX_INFLIGHT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * MIB)
      .describe(
        "Bytes of request bodies the public listener holds at once, all requests together; beyond it 503 with Retry-After",
      ),
    MAX_CONNECTIONS: z.coerce
      .number()
      .int()
      .min(1)
      .default(512)
      .describe(
        "Open connections per listener; more are closed on arrival. Keep it under the process's file descriptor limit",
      ),
    HEADERS_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe(
        "Milliseconds a connection has to send a request's headers (also a new connection's first request), then it is closed",
      ),
    REQUEST_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(60_000)
      .describe(
        "Milliseconds a client has to send a whole request, body included; then 408 and the connection is closed",
      ),
    KEEP_ALIVE_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(5_000)
      .describe(
        "Milliseconds an idle keep-alive connection is kept between requests. Behind a load balancer, above its idle timeout",
      ),
    INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    INTERNAL_HOST: z.string().min(1).default("127.0.0.1"),
    INTERNAL_API_TOKEN: credentialList(),
    INTERNAL_READ_TOKEN: credentialList().describe(
      "read-only credential(s) of the internal API: every GET and /metrics; a write answers 403",
    ),
    QUARANTINE_BUDGET_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(1024 * MIB)
      .describe("bytes the quarantine may hold before ops must act; status and the alert warn near it"),
    QUARANTINE_BUDGET_WARN_PERCENT: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(80)
      .describe("share of QUARANTINE_BUDGET_BYTES from which status turns yellow"),
    TOKEN_ROTATION_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(15, "must cover Douane's 15-minute propagation delay: at least 15")
      .default(30),
    URL_MOVE_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(240, "must cover the portal's 4-hour delay to apply a new URL: at least 240")
      .default(300),
    AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    TRUST_PROXY: trustProxySchema(),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .describe("days a message, quarantined body or token event is kept; unset: kept forever"),
    ARCHIVE_DIR: z
      .string()
      .min(1)
      .optional()
      .describe(
        "folder of the daily compressed message archives; when set, no message is purged before it is in a verified archive",
      ),
    UPKEEP_INTERVAL_MINUTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(60)
      .describe(
        "minutes between two archive and purge runs in the service (when ARCHIVE_DIR or a retention is set); 0: only by the CLI",
      ),
    SIMULATED_HEADER: z
      .enum(["ignore", "honour"])
      .optional()
      .describe(
        "honour: a callback with X-Simulated: true (the simulator's) is stored marked simulated, so `db purge --simulated` removes it unarchived; ignore: the header is not believed. Unset: honour only when H7_DOUANE_URL is not Douane's server (a receiver wired to the sandbox)",
      ),
    DELIVERY_WORKER: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .default(true)
      .describe("false: this replica stores messages and their deliveries but sends none (another replica does)"),
    DELIVERY_MAX_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe("requests in flight to one destination, across replicas"),
    DELIVERY_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30)
      .default(10)
      .describe("a destination that has not answered by then has failed this attempt"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // Every wait on the database is bounded, so a stalled or locked database costs callers a 503, never a hang
    // (docs/operations-limits.md).
    DB_CONNECT_TIMEOUT_MS: milliseconds(5_000),
    DB_STATEMENT_TIMEOUT_MS: milliseconds(10_000),
    DB_LOCK_TIMEOUT_MS: milliseconds(5_000),
    DB_KEEPALIVE_MS: milliseconds(10_000),
    DB_COMMIT_TIMEOUT_MS: milliseconds(15_000),
    SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).default(1_000),
    SHUTDOWN_TIMEOUT_MS: milliseconds(25_000),
    ...outboundSchema,
  })
  .superRefine((env, ctx) => {
    if (!env.DOUANE_TOKEN_URL) return;
    const needed =
      env.DOUANE_GRANT === "password" ? ["CLIENT_ID", "USERNAME", "PASSWORD"] : ["CLIENT_ID", "CLIENT_SECRET"];
    for (const name of needed) {
      const variable = `DOUANE_${name}` as keyof typeof env;
      if (env[variable] === undefined && env[`${variable}_FILE` as keyof typeof env] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [variable],
          message: `required with DOUANE_TOKEN_URL and DOUANE_GRANT=${env.DOUANE_GRANT} (or ${variable}_FILE)`,
        });
      }
    }
  })
  .refine((env) => env.MAX_INFLIGHT_BYTES >= env.MAX_BODY_BYTES, {
    path: ["MAX_INFLIGHT_BYTES"],
    message: "must be at least MAX_BODY_BYTES, or a body of the largest accepted size could never be received",
  })
  .refine((env) => env.HEADERS_TIMEOUT_MS <= env.REQUEST_TIMEOUT_MS, {
    path: ["HEADERS_TIMEOUT_MS"],
    message: "must not exceed REQUEST_TIMEOUT_MS",
  })
  .refine((env) => (env.TLS_CERT_FILE === undefined) === (env.TLS_KEY_FILE === undefined), {
    path: ["TLS_KEY_FILE"],
    message: "TLS_CERT_FILE and TLS_KEY_FILE go together",
  });

/** Each Douane API's variables, read with its prefix: H7_BASE_PATH, GAMMA2_TOKEN, PNTS_MESSAGE_ID, … */
const apiSchema = z.object({
  BASE_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/, "must start with / and not end with /")
    .optional(),
  // A secret read from a file often ends with a newline: trimmed here, as presented tokens are.
  TOKEN: z
    .string()
    .transform((token) => token.trim())
    .pipe(z.string().min(16, "must be at least 16 characters").regex(/^\S+$/, "must not contain whitespace"))
    .optional(),
  AUTH_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name")
    .transform((name) => name.toLowerCase())
    .default("authorization"),
  RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe("RETENTION_DAYS for this API only (overrides RETENTION_DAYS for its messages and quarantine)"),
  MESSAGE_ID: z
    .string()
    .default(DEFAULT_MESSAGE_ID_PLACES)
    .transform((text, context) => {
      try {
        return parseMessageIdPlaces(text);
      } catch (error) {
        context.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

/** Express's `trust proxy` without `true`: trusting every hop lets any client forge its X-Forwarded-For address. */
function trustProxySchema() {
  return z
    .string()
    .superRefine((value, context) => {
      if (value === "true")
        context.addIssue({
          code: "custom",
          message: "true would believe a forged X-Forwarded-For: give the number of proxies or their addresses",
        });
      else if (value !== "false" && !/^\d+$/.test(value)) {
        const bad = value
          .split(",")
          .map((entry) => entry.trim())
          .find((entry) => !isProxyAddress(entry));
        if (bad !== undefined)
          context.addIssue({
            code: "custom",
            message: `${JSON.stringify(bad)} is not a hop count, an address, a subnet, loopback, linklocal or uniquelocal`,
          });
      }
    })
    .transform((value): false | number | string =>
      value === "false" ? false : /^\d+$/.test(value) ? Number(value) : value,
    )
    .default(false);
}

const PROXY_RANGES = ["loopback", "linklocal", "uniquelocal"];
/** What proxy-addr (Express) accepts: a preset, an address, address/prefix or IPv4 address/netmask. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, range, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

type Environment = z.infer<typeof environmentSchema>;

/** Every variable the service reads: the documentation and .env.example are tested against this list. */
export const environmentVariables: string[] = [
  ...Object.keys(environmentSchema.shape),
  ...douaneApis.flatMap((api) =>
    Object.keys(apiSchema.shape)
      .filter((name) => name !== "MESSAGE_ID" || api.messageIdConfigurable)
      .map((name) => `${api.envPrefix}_${name}`),
  ),
];

export interface Config extends Omit<Environment, "SIMULATED_HEADER"> {
  /** Whether X-Simulated is believed: any holder of a Douane token could otherwise have real-looking messages
   *  purged unarchived by `db purge --simulated`. */
  SIMULATED_HEADER: "ignore" | "honour";
  database: DatabaseConfig;
  /** The APIs served: H7 always (at /dh7 by default), the others when their base path is set. */
  apis: ApiSettings[];
}

/** Where the database is, and how long any wait on it may last. */
interface DatabaseConfig {
  provider: "sqlite" | "postgresql";
  url: string;
  limits?: DatabaseLimits;
}

export interface DatabaseLimits {
  connectMs: number;
  statementMs: number;
  lockMs: number;
  keepAliveMs: number;
  sqliteBusyMs: number;
}

/** The environment with `.env` of `folder` under it, as .env.example promises: a variable set in the process
 *  environment wins over the file's. No file, the environment as it is. */
export function environmentWithDotEnv(env: NodeJS.ProcessEnv = process.env, folder = process.cwd()): NodeJS.ProcessEnv {
  const file = path.join(folder, ".env");
  if (!fs.existsSync(file)) return env;
  return { ...parseEnv(fs.readFileSync(file, "utf8")), ...env };
}

/** Reads the environment once; throws a message naming every bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = environmentSchema.safeParse(blankless);
  // The variable's name only: a path into a parsed value (INTERNAL_API_TOKEN.1) could point at a secret.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
  const apis: ApiSettings[] = [];
  for (const api of douaneApis) {
    const own = Object.fromEntries(
      Object.keys(apiSchema.shape).map((name) => [name, blankless[`${api.envPrefix}_${name}`]]),
    );
    const settings = apiSchema.safeParse(own);
    if (!settings.success) {
      problems.push(
        ...settings.error.issues.map((issue) => `  ${api.envPrefix}_${String(issue.path[0])}: ${issue.message}`),
      );
      continue;
    }
    const basePath = settings.data.BASE_PATH ?? api.defaultBasePath;
    if (basePath === undefined) continue;
    apis.push({
      name: api.name,
      envPrefix: api.envPrefix,
      basePath,
      token: settings.data.TOKEN,
      authHeader: settings.data.AUTH_HEADER,
      messageIdPlaces: settings.data.MESSAGE_ID,
      retentionDays: settings.data.RETENTION_DAYS,
    });
  }
  problems.push(...overlappingBasePaths(apis), ...sharedTokens(apis));
  if (!parsed.success || problems.length > 0) throw new Error(`invalid configuration:\n${problems.join("\n")}`);
  return {
    ...parsed.data,
    SIMULATED_HEADER:
      parsed.data.SIMULATED_HEADER ?? (parsed.data.H7_DOUANE_URL === DOUANE_H7_URL ? "ignore" : "honour"),
    apis,
    database: { ...databaseOf(parsed.data.DATABASE_URL), limits: limitsOf(parsed.data) },
  };
}

/** A token identifies its API: the same value registered for two APIs could not tell them apart. */
function sharedTokens(apis: ApiSettings[]): string[] {
  return apis.flatMap((api, i) =>
    apis
      .slice(0, i)
      .filter((other) => api.token !== undefined && other.token === api.token)
      .map((other) => `  ${api.envPrefix}_TOKEN: the same as ${other.envPrefix}_TOKEN; each API needs its own token`),
  );
}

/** Two APIs under one path would each receive the other's callbacks: /dh7 and /dh7/x overlap, /dh7 and /dh70 do not. */
function overlappingBasePaths(apis: ApiSettings[]): string[] {
  const problems: string[] = [];
  for (const [i, a] of apis.entries()) {
    for (const b of apis.slice(i + 1)) {
      if (
        a.basePath === b.basePath ||
        a.basePath.startsWith(`${b.basePath}/`) ||
        b.basePath.startsWith(`${a.basePath}/`)
      ) {
        problems.push(`  ${b.envPrefix}_BASE_PATH: ${b.basePath} overlaps ${a.envPrefix}_BASE_PATH (${a.basePath})`);
      }
    }
  }
  return problems;
}

function databaseOf(url: string): Omit<DatabaseConfig, "limits"> {
  if (url.startsWith("file:")) {
    // Resolved now, so the migration child process and the app open the same file whatever their cwd.
    const file = url.slice("file:".length);
    return { provider: "sqlite", url: `file:${path.resolve(file)}` };
  }
  return { provider: "postgresql", url };
}

/** The limits of a database given without them (the CLI's and tests' own connections): the defaults. */
export const defaultLimits = (): DatabaseLimits => limitsOf(environmentSchema.parse({}));

function limitsOf(env: Environment): DatabaseLimits {
  return {
    connectMs: env.DB_CONNECT_TIMEOUT_MS,
    statementMs: env.DB_STATEMENT_TIMEOUT_MS,
    lockMs: env.DB_LOCK_TIMEOUT_MS,
    keepAliveMs: env.DB_KEEPALIVE_MS,
    sqliteBusyMs: env.SQLITE_BUSY_TIMEOUT_MS,
  };
}
