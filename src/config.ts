import path from "node:path";
import { z } from "zod";

const MIB = 1024 * 1024;

const milliseconds = (fallback: number) => z.coerce.number().int().min(100, "must be at least 100 (milliseconds)").default(fallback);

const environmentSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATABASE_URL: z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)")
      .default("file:./data/receiver.db"),
    H7_BASE_PATH: z
      .string()
      .regex(/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/, "must start with / and not end with /")
      .default("/dh7"),
    H7_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    H7_AUTH_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name")
      .transform((name) => name.toLowerCase())
      .default("authorization"),
    VALIDATION_MODE: z.enum(["reject", "flag"]).default("reject"),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(5 * MIB),
    INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    INTERNAL_HOST: z.string().min(1).default("127.0.0.1"),
    INTERNAL_API_TOKEN: z
      .string()
      .transform((value) => value.split(",").map((token) => token.trim()).filter((token) => token !== ""))
      .pipe(z.array(z.string().min(16, "each comma-separated token must be at least 16 characters")).min(1))
      .optional(),
    TOKEN_ROTATION_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(15, "must cover Douane's 15-minute propagation delay: at least 15")
      .default(30),
    AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    TRUST_PROXY: z
      .string()
      .transform((value): boolean | number | string => (value === "true" ? true : value === "false" ? false : /^\d+$/.test(value) ? Number(value) : value))
      .default(false),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
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
  })
  .refine((env) => (env.TLS_CERT_FILE === undefined) === (env.TLS_KEY_FILE === undefined), {
    path: ["TLS_KEY_FILE"],
    message: "TLS_CERT_FILE and TLS_KEY_FILE go together",
  });

export type Environment = z.infer<typeof environmentSchema>;

export interface Config extends Environment {
  database: DatabaseConfig;
}

/** Where the database is, and how long any wait on it may last. */
export interface DatabaseConfig {
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

/** Reads the environment once; throws a message naming every bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = environmentSchema.safeParse(blankless);
  if (!parsed.success) {
    // The variable's name only: a path into a parsed value (INTERNAL_API_TOKEN.1) could point at a secret.
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return { ...parsed.data, database: { ...databaseOf(parsed.data.DATABASE_URL), limits: limitsOf(parsed.data) } };
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

export function limitsOf(env: Environment): DatabaseLimits {
  return {
    connectMs: env.DB_CONNECT_TIMEOUT_MS,
    statementMs: env.DB_STATEMENT_TIMEOUT_MS,
    lockMs: env.DB_LOCK_TIMEOUT_MS,
    keepAliveMs: env.DB_KEEPALIVE_MS,
    sqliteBusyMs: env.SQLITE_BUSY_TIMEOUT_MS,
  };
}
