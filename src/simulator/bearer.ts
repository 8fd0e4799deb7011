import { createHash, createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";

export type BearerCheck = { ok: true; fingerprint: string } | { ok: false; reason: string };

/**
 * Checks an RS256 JWT access token as a resource server would: signature by a key of the authorization server's
 * JWKS (fetched once, again for an unknown key id), and `exp` against the given clock. Enough for a sandbox;
 * Douane's own checks are not public.
 */
export function jwtBearerChecker(jwksUrl: string, clock: () => Date) {
  let keys = new Map<string, KeyObject>();
  const load = async () => {
    const answer = (await (await fetch(jwksUrl)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    keys = new Map(answer.keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: "jwk" })]));
  };
  return async (authorization: string | undefined): Promise<BearerCheck> => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1];
    if (!token) return { ok: false, reason: "missing bearer token" };
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
    const [header, payload] = parts.slice(0, 2).map((part) => {
      try {
        return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
    if (header.alg !== "RS256" || typeof header.kid !== "string")
      return { ok: false, reason: "not an RS256 JWT with a key id" };
    if (!keys.has(header.kid)) await load();
    const key = keys.get(header.kid);
    if (!key) return { ok: false, reason: "signed by an unknown key" };
    if (!verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], "base64url")))
      return { ok: false, reason: "bad signature" };
    if (typeof payload.exp !== "number" || payload.exp * 1000 <= clock().getTime())
      return { ok: false, reason: "expired" };
    return { ok: true, fingerprint: createHash("sha256").update(token).digest("hex").slice(0, 12) };
  };
}
