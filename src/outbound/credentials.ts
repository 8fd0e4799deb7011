import { createHash } from "node:crypto";
import fs from "node:fs";
import type { Config } from "../config";

export interface Credentials {
  grant: "password" | "client_credentials";
  clientAuth: "basic" | "body";
  clientId: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  scope?: string;
}

type Field = "CLIENT_ID" | "CLIENT_SECRET" | "USERNAME" | "PASSWORD";

/** Thrown when a `…_FILE` cannot be read: the message names the variable, never the content. */
export class CredentialsUnreadable extends Error {}

/**
 * The API account's credentials, read again at every token request: the account's password changes with
 * immediate effect at Douane, so a file updated by ops (or a secret manager) is used by the next request,
 * without a restart. Token requests are rare (one per token lifetime), so re-reading costs nothing.
 */
export function credentialsReader(config: Config): () => Credentials {
  const read = (field: Field): string | undefined => {
    const fileVariable = `DOUANE_${field}_FILE` as const;
    const path = config[fileVariable];
    if (path === undefined) return config[`DOUANE_${field}`];
    try {
      return fs.readFileSync(path, "utf8").replace(/\r?\n$/, ""); // editors add a final newline
    } catch (error) {
      throw new CredentialsUnreadable(
        `${fileVariable} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  };
  return () => ({
    grant: config.DOUANE_GRANT,
    clientAuth: config.DOUANE_CLIENT_AUTH,
    clientId: read("CLIENT_ID") ?? "",
    clientSecret: read("CLIENT_SECRET"),
    username: config.DOUANE_GRANT === "password" ? read("USERNAME") : undefined,
    password: config.DOUANE_GRANT === "password" ? read("PASSWORD") : undefined,
    scope: config.DOUANE_SCOPE,
  });
}

/** Tells two credential sets apart without keeping either: a refusal is remembered against this digest. */
export function credentialsDigest(credentials: Credentials): string {
  return createHash("sha256").update(JSON.stringify(credentials)).digest("hex");
}
