import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { listenerLimitsOf } from "../../src/http/listener-limits";
import { listen, portOf } from "../../src/service";
import { createDouaneSandbox, type DouaneSandbox } from "../../src/simulator/sandbox";
import type { Provider } from "../support/databases";
import { type OAuthServer, startOAuthServer } from "../support/oauth-server";
import { internal, startTestService, TEST_TOKEN, type TestService } from "../support/service";

export const PASSWORD = "Initial-Pa55word!";

/** How the sandbox's listener behaves: as Douane, or silent (takes the request, never answers). */
export type SandboxMode = "douane" | "hang";

/** The whole outbound loop on real sockets: a real OAuth2 server, the Douane sandbox, and the service whose
 *  public listener the sandbox calls back; the service's clock (and the sandbox's) is `harness.now`. */
export async function startOutboundLoop(provider: Provider, env: Record<string, string> = {}) {
  const oauth: OAuthServer = await startOAuthServer({ ttl: 300, accepted: PASSWORD });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "douane-account-"));
  const passwordFile = path.join(dir, "password");
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`);
  const state = { now: new Date(), mode: "douane" as SandboxMode };
  const clock = () => state.now;
  let sandbox: DouaneSandbox | null = null;
  const douane = http.createServer((req, res) => (state.mode === "hang" ? undefined : sandbox!.app(req, res)));
  await new Promise<void>((resolve) => douane.listen(0, "127.0.0.1", resolve));
  const douaneUrl = `http://127.0.0.1:${portOf(douane)}/dh7`;
  const service: TestService = await startTestService(
    provider,
    {
      H7_DOUANE_URL: douaneUrl,
      DOUANE_TOKEN_URL: oauth.tokenUrl,
      DOUANE_CLIENT_ID: "operator-app",
      DOUANE_CLIENT_SECRET: "client-secret-1",
      DOUANE_USERNAME: "FR12345678900012",
      DOUANE_PASSWORD_FILE: passwordFile,
      OUTBOUND_REQUEST_TIMEOUT_SECONDS: "60",
      ...env,
    },
    clock,
  );
  const publicServer = await listen(service.publicApp, {
    port: 0,
    host: "127.0.0.1",
    limits: listenerLimitsOf(service.config),
  });
  sandbox = createDouaneSandbox({
    callbackUrl: `http://127.0.0.1:${portOf(publicServer)}/dh7`,
    callbackToken: TEST_TOKEN,
    jwksUrl: oauth.jwksUrl,
  }); // Douane's clock is real, like the OAuth2 server's
  const api = internal(service);
  return {
    oauth,
    sandbox,
    service,
    state,
    passwordFile,
    api,
    advance: (ms: number) => (state.now = new Date(state.now.getTime() + ms)),
    submit: (lrn: string, operatorRequestReference = `OP-${lrn}`) =>
      api.post("/v1/outbound/h7/declarations", {
        header: { lrn, operatorRequestReference },
        goodsShipment: { goodsItem: [{ commodityCode: "620520" }] },
      }),
    /** Every return sent so far answered, then matched against expectations. */
    settle: async () => {
      const answers = await sandbox!.settled();
      await service.outbound.reconciler.run();
      return answers;
    },
    douaneReachable: async (reachable: boolean) => {
      if (!reachable) return new Promise<void>((resolve) => douane.close(() => resolve()));
      await new Promise<void>((resolve) => douane.listen(Number(new URL(douaneUrl).port), "127.0.0.1", resolve));
    },
    async stop() {
      douane.closeAllConnections();
      await new Promise((resolve) => douane.close(resolve));
      await new Promise((resolve) => publicServer.close(resolve));
      await service.stop();
      await oauth.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type OutboundLoop = Awaited<ReturnType<typeof startOutboundLoop>>;
