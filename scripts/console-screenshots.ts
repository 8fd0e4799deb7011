/**
 * Screenshots of every console page for docs/console/: a service on a fresh SQLite file, simulated Douane
 * traffic (valid, duplicate and invalid callbacks), then Debian's Chromium signs in and visits each page.
 * Run: npm run console:screenshots
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { readConfig } from "../src/config";
import { listenerLimitsOf } from "../src/http/listener-limits";
import { createLogger } from "../src/http/logger";
import { createService, listen, portOf } from "../src/service";
import { planRun } from "../src/simulator/plan";
import { sendAll } from "../src/simulator/sender";

const OUT = path.resolve(__dirname, "../docs/console");
const DOUANE_TOKEN = "screenshot-douane-token-0123456789";
const ADMIN = "screenshot-admin-credential-0123";

async function main(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "console-screenshots-"));
  const config = readConfig({
    DATABASE_URL: `file:${path.join(folder, "receiver.db")}`,
    H7_TOKEN: DOUANE_TOKEN,
    INTERNAL_API_TOKEN: ADMIN,
    LOG_LEVEL: "warn",
  });
  const service = await createService(config, createLogger("warn"));
  const publicServer = await listen(service.publicApp, {
    port: 0,
    host: "127.0.0.1",
    limits: listenerLimitsOf(service.config),
  });
  const internalServer = await listen(service.internalApp!, {
    port: 0,
    host: "127.0.0.1",
    limits: listenerLimitsOf(service.config),
  });
  const base = `http://127.0.0.1:${portOf(internalServer)}`;
  const calls = planRun({
    seed: 7,
    count: 40,
    channel: "mixed",
    duplicates: 0.1,
    conflicts: 0.05,
    invalid: 0.1,
    maxErrors: 3,
    at: new Date(),
  });
  await sendAll(calls, {
    url: `http://127.0.0.1:${portOf(publicServer)}/dh7`,
    token: DOUANE_TOKEN,
    header: "authorization",
    rate: 0,
    concurrency: 4,
    timeoutMs: 10_000,
  });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const shoot = async (name: string, url: string) => {
    await page.goto(`${base}${url}`);
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  };
  fs.mkdirSync(OUT, { recursive: true });
  await shoot("sign-in", "/console/login");
  await page.getByLabel("Identifiant d'accès interne (jeton)").fill(ADMIN);
  await page.getByLabel("Votre nom (inscrit au journal d'audit)").fill("Camille Martin");
  await page.getByRole("button", { name: "Connexion" }).click();
  await page.waitForURL(`${base}/console`);
  await shoot("overview", "/console");
  await shoot("messages", "/console/messages");
  const first = await page.locator("tbody tr a").first().getAttribute("href");
  await shoot("message", first!);
  const reference = await page.locator("a[href^='/console/declarations']").first().getAttribute("href");
  if (reference) await shoot("timeline", reference);
  await shoot("quarantine", "/console/quarantine");
  const quarantined = await page.locator("tbody tr a").first().getAttribute("href");
  if (quarantined) await shoot("quarantined", quarantined);
  await shoot("tokens", "/console/tokens");
  await shoot("rotate-confirm", "/console/tokens/h7/rotate");
  await browser.close();
  for (const server of [publicServer, internalServer]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await service.close();
  fs.rmSync(folder, { recursive: true, force: true });
  process.stdout.write(`screenshots written to ${OUT}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
