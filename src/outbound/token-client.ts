import { type Credentials, CredentialsUnreadable, credentialsDigest } from "./credentials";
import { requestToken, type TokenAnswer } from "./token-request";

/** Renew this long before expiry, so a token never expires between our check and Douane's. */
const RENEW_BEFORE_EXPIRY_MS = 30_000;
const DEFAULT_RETRY_DELAYS_MS = [1_000, 4_000];

export interface TokenClientOptions {
  tokenUrl: string;
  /** Read at every token request: a changed password file is used at once. */
  credentials: () => Credentials;
  timeoutMs: number;
  refusedBackoffMs: number;
  clock: () => Date;
  /** Pauses between attempts after a server error; its length + 1 is the number of attempts. */
  retryDelaysMs?: number[];
  /** Every token request, by outcome (for metrics). */
  onRequest?: (outcome: TokenAnswer["outcome"]) => void;
}

export type TokenState = "idle" | "ok" | "failing" | "refused" | "misconfigured";

export interface TokenStatus {
  status: "green" | "yellow" | "red";
  state: TokenState;
  /** Why it is not green; never a credential. */
  reason: string | null;
  lastIssuedAt: Date | null;
  expiresAt: Date | null;
  /** While refused: no token request before this instant unless the credentials change. */
  retryAt: Date | null;
}

export type UnavailableCode =
  | "credential_refused"
  | "token_server_unavailable"
  | "token_request_invalid"
  | "credentials_unreadable";

export class TokenUnavailable extends Error {
  constructor(
    readonly code: UnavailableCode,
    message: string,
    readonly retryAt: Date | null = null,
  ) {
    super(message);
  }
}

const COLOUR: Record<TokenState, TokenStatus["status"]> = {
  idle: "green",
  ok: "green",
  failing: "yellow",
  refused: "red",
  misconfigured: "red",
};

/**
 * Douane access tokens for every caller in the process: one token reused until 30 s before its expiry, one
 * request in flight however many callers wait (Douane has limited token requests per day), and after a refused
 * credential no request at all for a back-off period, so a wrong password cannot lock the API account.
 */
export class AccessTokenClient {
  private token: { value: string; renewAt: number; expiresAt: Date } | null = null;
  private inFlight: Promise<string> | null = null;
  private refusal: { digest: string; until: Date; reason: string } | null = null;
  private state: TokenState = "idle";
  private reason: string | null = null;
  private lastIssuedAt: Date | null = null;

  constructor(private readonly options: TokenClientOptions) {}

  /** A token valid for at least 30 s more; throws TokenUnavailable when none can be had. */
  async accessToken(): Promise<string> {
    if (this.token && this.options.clock().getTime() < this.token.renewAt) return this.token.value;
    this.inFlight ??= this.obtain().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Douane refused a token we still thought valid: the next caller gets a new one. */
  discard(token: string): void {
    if (this.token?.value === token) this.token = null;
  }

  status(): TokenStatus {
    const refused = this.state === "refused" && this.refusal;
    return {
      status: COLOUR[this.state],
      state: this.state,
      reason: this.reason,
      lastIssuedAt: this.lastIssuedAt,
      expiresAt: this.token?.expiresAt ?? null,
      retryAt: refused ? this.refusal!.until : null,
    };
  }

  private async obtain(): Promise<string> {
    const credentials = this.readCredentials();
    const digest = credentialsDigest(credentials);
    const now = this.options.clock();
    if (this.refusal && this.refusal.digest === digest && now < this.refusal.until) {
      throw new TokenUnavailable(
        "credential_refused",
        `${this.refusal.reason}; no token request before ${this.refusal.until.toISOString()} unless the credentials change`,
        this.refusal.until,
      );
    }
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      const answer = await requestToken(this.options.tokenUrl, credentials, this.options.timeoutMs);
      this.options.onRequest?.(answer.outcome);
      if (answer.outcome === "issued") return this.keep(answer.accessToken, answer.expiresInSeconds);
      if (answer.outcome === "refused") throw this.refuse(digest, answer);
      if (answer.outcome === "invalid_answer")
        throw this.fail("misconfigured", "token_request_invalid", `the authorization server answered ${answer.detail}`);
      if (attempt >= delays.length) {
        throw this.fail(
          "failing",
          "token_server_unavailable",
          `the authorization server failed ${attempt + 1} times in a row (last: ${answer.detail})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }

  private readCredentials(): Credentials {
    try {
      return this.options.credentials();
    } catch (error) {
      if (error instanceof CredentialsUnreadable)
        throw this.fail("misconfigured", "credentials_unreadable", error.message);
      throw error;
    }
  }

  private keep(value: string, expiresInSeconds: number): string {
    const now = this.options.clock();
    const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
    this.token = {
      value,
      expiresAt,
      renewAt: expiresAt.getTime() - Math.min(RENEW_BEFORE_EXPIRY_MS, (expiresInSeconds * 1000) / 2),
    };
    this.refusal = null;
    this.state = "ok";
    this.reason = null;
    this.lastIssuedAt = now;
    return value;
  }

  private refuse(digest: string, answer: Extract<TokenAnswer, { outcome: "refused" }>): TokenUnavailable {
    const until = new Date(this.options.clock().getTime() + this.options.refusedBackoffMs);
    const reason = `the authorization server refused the credentials (${answer.error}${answer.description ? `: ${answer.description}` : ""})`;
    this.refusal = { digest, until, reason };
    this.token = null;
    return this.fail("refused", "credential_refused", reason, until);
  }

  private fail(
    state: TokenState,
    code: UnavailableCode,
    reason: string,
    retryAt: Date | null = null,
  ): TokenUnavailable {
    this.state = state;
    this.reason = reason;
    return new TokenUnavailable(code, reason, retryAt);
  }
}
