import type http from "node:http";
import { type Browser, chromium, type Page } from "playwright-core";
import { listenerLimitsOf } from "../../src/http/listener-limits";
import { listen, portOf } from "../../src/service";
import type { Provider } from "../support/databases";
import { startTestService, type TestService } from "../support/service";

/** Debian's chromium (installed by .ci/run when missing), never a downloaded browser build. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const READ_TOKEN = "read-only-token-9Hq2mX4pZ7vK1sB";

export interface ConsoleUnderTest {
  service: TestService;
  base: string;
  publicBase: string;
  stop(): Promise<void>;
}

/** The whole service on real listeners, the console at `${base}/console`. */
export async function startConsole(provider: Provider, clock?: () => Date): Promise<ConsoleUnderTest> {
  const service = await startTestService(provider, { INTERNAL_READ_TOKEN: READ_TOKEN }, clock);
  const servers: http.Server[] = [
    await listen(service.internalApp!, { port: 0, host: "127.0.0.1", limits: listenerLimitsOf(service.config) }),
    await listen(service.publicApp, { port: 0, host: "127.0.0.1", limits: listenerLimitsOf(service.config) }),
  ];
  return {
    service,
    base: `http://127.0.0.1:${portOf(servers[0])}`,
    publicBase: `http://127.0.0.1:${portOf(servers[1])}`,
    async stop() {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await service.stop();
    },
  };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, base: string, credential: string, name = "Camille Martin"): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.getByLabel(/Identifiant d'accès|Internal access credential/).fill(credential);
  await page.getByLabel(/Votre nom|Your name/).fill(name);
  await page.getByRole("button", { name: /Connexion|Sign in/ }).click();
  await page.waitForURL(`${base}/console`);
}
