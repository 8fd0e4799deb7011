import path from "node:path";
import { z } from "zod";

const MIB = 1024 * 1024;

const secret = (what: string) => z.string().min(1).optional().describe(what);
const file = (what: string) => z.string().min(1).optional().describe(`a file holding ${what}, re-read when it changes (wins over the variable)`);
const minutes = (what: string, fallback: number) => z.coerce.number().int().min(1).default(fallback).describe(what);

/** The outbound direction (operator → Douane): OAuth2 access tokens, tracked submissions, expected returns. */
const outboundSchema = {
  H7_DOUANE_URL: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, "")).default("https://edi.douane.gouv.fr/dh7")
    .describe("Douane's H7 server: declarations/creer and demandes/invalider are under it"),
  DOUANE_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional()
    .describe("the authorization server's token endpoint (given to contracted operators); unset: outbound submissions are off"),
  DOUANE_GRANT: z.enum(["password", "client_credentials"]).default("password")
    .describe("password: the API account's username and password with the client id/secret; client_credentials: the client alone"),
  DOUANE_CLIENT_AUTH: z.enum(["basic", "body"]).default("basic")
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
  DOUANE_REFUSED_BACKOFF_MINUTES: minutes("after a refused credential, minutes without any token request (unless the credentials change)", 15),
  OUTBOUND_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30).describe("per call to Douane, token requests included"),
  OUTBOUND_RETURN_TIMEOUT_MINUTES: minutes("minutes after sending within which Douane's returns are expected; past it, overdue", 60),
  OUTBOUND_RECONCILE_SECONDS: z.coerce.number().int().min(1).default(60).describe("how often stored messages are matched against open expectations"),
};

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
    ...outboundSchema,
  })
  .superRefine((env, ctx) => {
    if (!env.DOUANE_TOKEN_URL) return;
    const needed = env.DOUANE_GRANT === "password" ? ["CLIENT_ID", "USERNAME", "PASSWORD"] : ["CLIENT_ID", "CLIENT_SECRET"];
    for (const name of needed) {
      const variable = `DOUANE_${name}` as keyof typeof env;
      if (env[variable] === undefined && env[`${variable}_FILE` as keyof typeof env] === undefined) {
        ctx.addIssue({ code: "custom", path: [variable], message: `required with DOUANE_TOKEN_URL and DOUANE_GRANT=${env.DOUANE_GRANT} (or ${variable}_FILE)` });
      }
    }
  })
  .refine((env) => (env.TLS_CERT_FILE === undefined) === (env.TLS_KEY_FILE === undefined), {
    path: ["TLS_KEY_FILE"],
    message: "TLS_CERT_FILE and TLS_KEY_FILE go together",
  });

export type Environment = z.infer<typeof environmentSchema>;

export interface Config extends Environment {
  database: { provider: "sqlite" | "postgresql"; url: string };
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
  return { ...parsed.data, database: databaseOf(parsed.data.DATABASE_URL) };
}

function databaseOf(url: string): Config["database"] {
  if (url.startsWith("file:")) {
    // Resolved now, so the migration child process and the app open the same file whatever their cwd.
    const file = url.slice("file:".length);
    return { provider: "sqlite", url: `file:${path.resolve(file)}` };
  }
  return { provider: "postgresql", url };
}
