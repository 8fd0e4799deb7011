import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type KnownCredential, knownCredentials } from "../internal/credentials";
import { identifyToken } from "../tokens/verify";

export interface Session {
  role: KnownCredential["role"];
  /** The fingerprint of the credential signed in with: what vouches for every action in the audit log. */
  credential: string;
  /** Who said they were at sign-in (free text, for the audit log). */
  name: string;
  expiresAt: number;
  nonce: string;
}

export const SESSION_HOURS = 8;

/**
 * Sessions are signed cookies, not server-side state, so every replica (and a restarted process) recognises them.
 * The signing key is derived from the configured credentials: removing a credential ends its sessions, and no
 * separate secret has to be distributed. The CSRF token is derived from the session's nonce (synchronizer token).
 */
export class ConsoleSessions {
  private readonly key: Buffer;
  private readonly credentials: KnownCredential[];

  constructor(
    admin: string[],
    read: string[],
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.credentials = knownCredentials({ admin, read });
    const material = createHmac("sha256", "douane-callback-receiver console session");
    for (const credential of this.credentials) material.update(credential.hash);
    this.key = material.digest();
  }

  /** Checks a typed credential against every configured one, in constant time and without stopping early. */
  signIn(presented: string, name: string): Session | null {
    const found = identifyToken(this.credentials, presented.trim());
    if (!found) return null;
    const expiresAt = this.clock().getTime() + SESSION_HOURS * 3600_000;
    return {
      role: found.role,
      credential: found.fingerprint,
      name: name.trim().slice(0, 100),
      expiresAt,
      nonce: randomBytes(16).toString("base64url"),
    };
  }

  /** A one-use value for the sign-in form, checked against its cookie twin (there is no session yet to bind it to). */
  loginNonce(): string {
    return randomBytes(16).toString("base64url");
  }

  seal(session: Session): string {
    const payload = Buffer.from(JSON.stringify(session)).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** The session a cookie holds, or null when it is forged, expired, or its credential is no longer configured. */
  open(cookie: string | undefined): Session | null {
    const [payload, signature] = (cookie ?? "").split(".");
    if (!payload || !signature || !equalText(signature, this.sign(payload))) return null;
    const session = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Session;
    if (session.expiresAt <= this.clock().getTime()) return null;
    const credential = this.credentials.find((known) => known.fingerprint === session.credential);
    return credential && credential.role === session.role ? session : null;
  }

  csrfToken(session: Session): string {
    return this.sign(`csrf.${session.nonce}`);
  }

  checkCsrf(session: Session, presented: unknown): boolean {
    return typeof presented === "string" && equalText(presented, this.csrfToken(session));
  }

  private sign(text: string): string {
    return createHmac("sha256", this.key).update(text).digest("base64url");
  }
}

export const actorOf = (session: Session) =>
  session.name
    ? `${session.name} (console, credential ${session.credential})`
    : `console, credential ${session.credential}`;

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
