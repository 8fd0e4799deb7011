import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { type OAuthServer, startOAuthServer } from "../support/oauth-server";

/** A receiver stand-in that records what the sandbox calls back. */
async function recordingReceiver() {
  const calls: { path: string; authorization: string | undefined; body: Record<string, any> }[] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      calls.push({ path: req.url!, authorization: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    calls,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/dh7`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("douane-callback-receiver sandbox", () => {
  let oauth: OAuthServer;
  beforeAll(async () => {
    oauth = await startOAuthServer({ ttl: 300 });
  }, 30_000);
  afterAll(() => oauth?.stop());

  const tokenFor = async () => {
    const answer = await fetch(oauth.tokenUrl, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "operator-app" }),
    });
    return ((await answer.json()) as { access_token: string }).access_token;
  };

  test("checks the access token, answers 202, then calls the receiver back with a registration and a response for the lrn", async () => {
    const receiver = await recordingReceiver();
    const child = spawn(
      process.execPath,
      [
        "-r",
        "tsx/cjs",
        "src/cli/main.ts",
        "sandbox",
        "--port",
        "0",
        "--callback-url",
        receiver.url,
        "--callback-token",
        "callback-token-0123456789",
        "--jwks-url",
        oauth.jwksUrl,
      ],
      {
        cwd: path.resolve(__dirname, "../.."),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      let output = "";
      child.stdout!.on("data", (chunk) => (output += chunk));
      child.stderr!.on("data", (chunk) => (output += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        const poll = setInterval(() => {
          const match = /listening on (http:\S+)/.exec(output);
          if (match) resolve(match[1]);
          if (match || child.exitCode !== null) clearInterval(poll);
          if (child.exitCode !== null) reject(new Error(output));
        }, 50);
      });
      const post = (token: string | null) =>
        fetch(`${url}/declarations/creer`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ header: { lrn: "LRN-SB1", operatorRequestReference: "OP-SB1" } }),
        });
      expect((await post(null)).status).toBe(401);
      await oauth.set({ ttl: -1 });
      const expired = await post(await tokenFor());
      expect({ status: expired.status, body: await expired.json() }).toEqual({
        status: 401,
        body: { error: "invalid_token", error_description: "expired" },
      });
      await oauth.set({ ttl: 300 });
      const token = await tokenFor();
      expect((await post(`${token.slice(0, -4)}AAAA`)).status).toBe(401);
      const accepted = await post(token);
      expect({ status: accepted.status, body: await accepted.json() }).toEqual({
        status: 202,
        body: { lrn: "LRN-SB1", operatorRequestReference: "OP-SB1" },
      });

      for (let i = 0; i < 100 && receiver.calls.length < 2; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(receiver.calls.map((call) => call.authorization)).toEqual([
        "Bearer callback-token-0123456789",
        "Bearer callback-token-0123456789",
      ]);
      const [registration, response] = receiver.calls;
      expect(registration.path).toMatch(/^\/dh7\/demandes\/\d+\/enregistrement$/);
      expect(registration.body).toMatchObject({
        header: { operatorRequestReference: "OP-SB1" },
        declarations: [{ lrn: "LRN-SB1" }],
      });
      expect(response.path).toBe(
        `/dh7/declarations/${registration.body.declarations[0].customsDeclarationReference}/reponses`,
      );
      expect(response.body).toMatchObject({
        header: { lrn: "LRN-SB1", mrn: registration.body.declarations[0].mrn },
        declarationState: { state: "ACC" },
      });
    } finally {
      child.kill("SIGTERM");
      await receiver.close();
    }
  }, 60_000);
});
