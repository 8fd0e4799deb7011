import type { Browser, BrowserContext, Page } from "playwright-core";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, registrationH7Example, responseH7Example, withMessageId } from "../support/examples";
import { INTERNAL_TOKEN, TEST_TOKEN } from "../support/service";
import { type ConsoleUnderTest, launchBrowser, READ_TOKEN, signIn, startConsole } from "./browser";

jest.setTimeout(60_000);

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function post(base: string, path: string, body: unknown, token = TEST_TOKEN): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe.each(databaseProviders())("the ops console on %s", (provider) => {
  let consoleUnderTest: ConsoleUnderTest;
  let context: BrowserContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    consoleUnderTest = await startConsole(provider);
    base = consoleUnderTest.base;
    const publicBase = consoleUnderTest.publicBase;
    expect((await post(publicBase, paths.error, withMessageId(errorH7Example, "console-error-1"))).status).toBe(200);
    expect(
      (await post(publicBase, paths.response(), withMessageId(responseH7Example, "console-response-1"))).status,
    ).toBe(200);
    expect(
      (await post(publicBase, paths.registration(), withMessageId(registrationH7Example, "console-registration-1")))
        .status,
    ).toBe(200);
    const { error: _dropped, ...withoutErrors } = withMessageId(errorH7Example, "console-invalid-1");
    expect((await post(publicBase, paths.error, withoutErrors)).status).toBe(400);
    expect(
      (
        await post(publicBase, paths.error, {
          ...withoutErrors,
          header: { ...withoutErrors.header, messageId: "console-invalid-2" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await post(publicBase, paths.error, {
          ...withoutErrors,
          header: { ...withoutErrors.header, messageId: "console-invalid-3" },
        })
      ).status,
    ).toBe(400);
  });
  afterAll(async () => {
    await consoleUnderTest?.stop();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  test("a person signs in with the admin credential and reads the overview in French, dates in Paris time", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    expect(await page.locator("h1").textContent()).toBe("Vue d'ensemble");
    expect(await page.locator(".status").first().textContent()).toBe("green");
    const text = await page.locator("main").textContent();
    expect(text).toContain("Dernier appel reçu");
    expect(text).toContain("Europe/Paris");
    expect(text).toContain("En quarantaine (ouverts): 3");
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === "console_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(session!.expires * 1000 - Date.now()).toBeGreaterThan(7.9 * 3600_000);
  });

  test("a wrong credential is refused at sign-in and opens no page", async () => {
    await page.goto(`${base}/console/login`);
    await page.getByLabel("Identifiant d'accès interne (jeton)").fill("not-the-credential-at-all");
    await page.getByRole("button", { name: "Connexion" }).click();
    expect(await page.getByRole("alert").textContent()).toBe("Identifiant refusé.");
    const response = await page.goto(`${base}/console/messages`);
    expect(response!.url()).toBe(`${base}/console/login`);
  });

  test("messages are filtered by lrn, a message's detail shows its payload, and its timeline is reached from its mrn", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    await page.goto(`${base}/console/messages`);
    await page.getByLabel("lrn", { exact: true }).fill("TEST123456");
    await page.getByRole("button", { name: "Filtrer" }).click();
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("console-error-1");
    await rows.first().getByRole("link").first().click();
    expect(await page.locator("pre").textContent()).toContain('"errorCode": "H7_NAT_000"');
    await page.goto(`${base}/console/messages`);
    await page.getByLabel("Référence de déclaration, LRN ou MRN").fill("21FR000000012345A1");
    await page.getByRole("button", { name: "Chronologie" }).click();
    expect(await page.locator("h1").textContent()).toBe("Chronologie de la déclaration 228231995374");
    expect(await page.locator("main").textContent()).toContain("console-response-1");
  });

  test("a quarantined body is accepted with a reason after a confirmation step, and becomes a message", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    await page.goto(`${base}/console/quarantine`);
    await page.locator("tbody tr", { hasText: "console-invalid-1" }).getByRole("link").click();
    await page.getByRole("link", { name: "Accepter" }).click();
    expect(await page.locator("h1").textContent()).toBe("Enregistrer ce corps comme message, accepté à la main ?");
    await page.getByLabel("Motif").fill("ticket 42: Douane confirmed");
    await page.getByRole("button", { name: "Confirmer" }).click();
    expect(await page.locator("main").textContent()).toContain("console-invalid-1");
    expect(await page.locator("main").textContent()).toContain("ticket 42: Douane confirmed");
    expect(await page.locator("main").textContent()).toContain("Camille Martin (console, credential");
  });

  test("a quarantined body is dismissed with a reason after a confirmation step, and shows as dismissed", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    await page.goto(`${base}/console/quarantine`);
    await page.locator("tbody tr", { hasText: "console-invalid-3" }).getByRole("link").click();
    await page.getByRole("link", { name: "Écarter" }).click();
    expect(await page.locator("h1").textContent()).toBe("Clore ce corps en quarantaine sans l'enregistrer ?");
    await page.getByLabel("Motif").fill("Douane confirmed it was a test");
    await page.getByRole("button", { name: "Confirmer" }).click();
    expect(await page.locator("main").textContent()).toContain("dismissed");
    expect(await page.getByRole("link", { name: "Écarter" }).count()).toBe(0);
  });

  test("a token rotation shows the new token once, and Douane's first call with it is accepted", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    await page.goto(`${base}/console/tokens`);
    await page.getByRole("link", { name: "Nouveau jeton (rotation)" }).click();
    await page.getByRole("button", { name: "Confirmer" }).click();
    const token = (await page.locator("#new-token").textContent())!.trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(await page.locator("main").textContent()).toContain("15 minutes");
    const accepted = await post(
      consoleUnderTest.publicBase,
      paths.error,
      withMessageId(errorH7Example, "console-after-rotation"),
      token,
    );
    expect(accepted.status).toBe(200);
    await page.goto(`${base}/console/tokens`);
    expect(await page.content()).not.toContain(token);
    expect(await page.locator("main").textContent()).toContain("Camille Martin (console, credential");
  });

  test("a read-only session sees every page, no button to change anything, and the server refuses a change", async () => {
    await signIn(page, base, READ_TOKEN, "Lecteur");
    expect(await page.getByRole("status").textContent()).toBe("Lecture seule : aucune modification possible.");
    await page.goto(`${base}/console/tokens`);
    expect(await page.getByRole("link", { name: "Nouveau jeton (rotation)" }).count()).toBe(0);
    await page.goto(`${base}/console/quarantine`);
    await page.locator("tbody tr", { hasText: "console-invalid-2" }).getByRole("link").click();
    expect(await page.getByRole("link", { name: "Accepter" }).count()).toBe(0);
    // The form a read-only session cannot see, posted anyway with its valid CSRF token: refused.
    await page.goto(`${base}/console/tokens/h7/rotate`);
    const csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const refused = await page.evaluate(async (token) => {
      const answer = await fetch("/console/tokens/h7/rotate", {
        method: "POST",
        body: new URLSearchParams({ _csrf: token }),
      });
      return { status: answer.status, text: await answer.text() };
    }, csrf);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Cette session est en lecture seule.");
  });

  test("a change posted without the form's CSRF token is refused", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    const refused = await page.evaluate(async () => {
      const answer = await fetch("/console/tokens/h7/rotate", {
        method: "POST",
        body: new URLSearchParams({ reason: "no csrf" }),
      });
      return answer.status;
    });
    expect(refused).toBe(403);
    const tokens = await fetch(`${base}/v1/apis/h7/tokens`, { headers: { authorization: `Bearer ${INTERNAL_TOKEN}` } });
    expect(
      ((await tokens.json()) as { items: { status: string }[] }).items.filter((token) => token.status === "pending"),
    ).toHaveLength(0);
  });

  test("English is one click away and stays chosen", async () => {
    await signIn(page, base, INTERNAL_TOKEN);
    await page.getByRole("link", { name: "English" }).click();
    expect(await page.locator("h1").textContent()).toBe("Overview");
    await page.goto(`${base}/console/quarantine`);
    expect(await page.locator("h1").textContent()).toBe("Quarantine");
  });

  test("no page runs an inline script: the Content-Security-Policy allows scripts from the console's own files only", async () => {
    const response = await page.goto(`${base}/console/login`);
    const policy = response!.headers()["content-security-policy"];
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("unsafe-inline");
    expect(await page.locator("script:not([src])").count()).toBe(0);
  });
});
