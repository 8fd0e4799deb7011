import { parseJsonOrNull } from "../messages/queries";
import type { Credentials } from "./credentials";

export type TokenAnswer =
  | { outcome: "issued"; accessToken: string; expiresInSeconds: number }
  /** The authorization server refused the credentials themselves: retrying cannot help and may lock the account. */
  | { outcome: "refused"; error: string; description: string | null }
  /** Worth retrying: a 5xx, a 429, or no answer at all. */
  | { outcome: "server_error"; detail: string }
  /** Any other answer: a request Douane does not understand (grant, scope): fixed by configuration, not by retrying. */
  | { outcome: "invalid_answer"; detail: string };

/** Douane's tokens are documented as valid 5 minutes; used when the answer omits expires_in (it is only RECOMMENDED). */
const DEFAULT_EXPIRES_IN_SECONDS = 300;

const REFUSALS = new Set(["invalid_grant", "invalid_client", "unauthorized_client"]);

/**
 * One token request (RFC 6749 §4.3 password grant, §4.4 client credentials) and its answer, classified.
 * Plain fetch: the protocol here is one form POST and the §5.1/§5.2 answers; oauth4webapi 3 is ESM-only,
 * which this CommonJS service (and ts-jest) cannot load without a second module system.
 */
export async function requestToken(
  tokenUrl: string,
  credentials: Credentials,
  timeoutMs: number,
): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: credentials.grant });
  if (credentials.grant === "password") {
    form.set("username", credentials.username ?? "");
    form.set("password", credentials.password ?? "");
  }
  if (credentials.scope) form.set("scope", credentials.scope);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (credentials.clientAuth === "basic") {
    // §2.3.1: each part form-urlencoded before base64
    const pair = `${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret ?? "")}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  } else {
    form.set("client_id", credentials.clientId);
    if (credentials.clientSecret !== undefined) form.set("client_secret", credentials.clientSecret);
  }
  let response: Response;
  let body: Record<string, unknown> | null;
  try {
    response = await fetch(tokenUrl, {
      method: "POST",
      headers,
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    body = jsonObjectOrNull(await response.text());
  } catch (error) {
    return { outcome: "server_error", detail: networkErrorOf(error) };
  }
  if (response.status >= 500 || response.status === 429)
    return { outcome: "server_error", detail: `HTTP ${response.status}` };
  if (response.ok) {
    const accessToken = body?.access_token;
    if (typeof accessToken !== "string" || accessToken === "")
      return { outcome: "invalid_answer", detail: "no access_token in a 2xx answer" };
    const expiresIn = Number(body?.expires_in);
    return {
      outcome: "issued",
      accessToken,
      expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_SECONDS,
    };
  }
  const error = typeof body?.error === "string" ? body.error : null;
  const description = typeof body?.error_description === "string" ? body.error_description.slice(0, 300) : null;
  if (error && REFUSALS.has(error)) return { outcome: "refused", error, description };
  if (response.status === 401) return { outcome: "refused", error: "invalid_client", description };
  return {
    outcome: "invalid_answer",
    detail: `HTTP ${response.status}${error ? ` ${error}` : ""}${description ? `: ${description}` : ""}`,
  };
}

/** The name of what failed (ECONNREFUSED, TimeoutError…), never a URL with credentials in it. */
export function networkErrorOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  return cause ?? (error as Error).name ?? "error";
}

const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

function jsonObjectOrNull(text: string): Record<string, unknown> | null {
  const value = parseJsonOrNull(Buffer.from(text));
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
