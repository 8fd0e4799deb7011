import { type ChildProcess, fork } from "node:child_process";
import net from "node:net";
import path from "node:path";

export interface TokenRequestSeen {
  grant: string;
  clientId: string;
  username: string | null;
  scope: string | null;
}

export interface OAuthServerSettings {
  /** expires_in and the JWT's lifetime, in seconds (Douane's: 300). */
  ttl?: number;
  /** The only password (password grant) or client secret (client credentials) accepted; null: any. */
  accepted?: string | null;
  /** The next token requests answered 503. */
  failNext?: number;
}

export interface OAuthServer {
  issuer: string;
  tokenUrl: string;
  jwksUrl: string;
  set(settings: OAuthServerSettings): Promise<void>;
  requests(): Promise<TokenRequestSeen[]>;
  stop(): Promise<void>;
}

/** A real OAuth2 server (oauth2-mock-server 9) on loopback, in a child process, answering with Douane's 5-minute tokens. */
export async function startOAuthServer(settings: OAuthServerSettings = {}): Promise<OAuthServer> {
  const child: ChildProcess = fork(path.join(__dirname, "oauth-server-process.mjs"), [], {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the OAuth2 server exited with ${code}`)));
    child.once("message", (message: { url: string }) => resolve(message.url));
  });
  let next = 0;
  const ask = (command: object) =>
    new Promise<{ requests: TokenRequestSeen[] }>((resolve) => {
      const id = ++next;
      const listener = (message: { id?: number; requests: TokenRequestSeen[] }) => {
        if (message.id !== id) return;
        child.off("message", listener);
        resolve(message);
      };
      child.on("message", listener);
      child.send({ ...command, id });
    });
  await ask({ set: settings });
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
    set: async (changes) => void (await ask({ set: changes })),
    requests: async () => (await ask({})).requests,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ stop: true });
      }),
  };
}

/** A loopback port nothing listens on (fetch refuses well-known "bad" ports such as 9 before connecting). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
