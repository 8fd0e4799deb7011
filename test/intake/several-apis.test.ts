import { readConfig } from "../../src/config";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";

const GAMMA2_TOKEN = "gamma2-token-Zr8Kq1Vb7Xn3Wm5P";
const DELTAIE_TOKEN = "deltaie-token-Hy4Jt6Ls2Df9Qa1C";
const PNTS_TOKEN = "pnts-token-Ue7Bo3Ni5Gk8Rc2Tv";

describe("the configuration of several APIs", () => {
  test("only H7 is served unless another API's base path is set", () => {
    expect(readConfig({}).apis.map((api) => api.name)).toEqual(["h7"]);
    expect(readConfig({ PNTS_BASE_PATH: "/pnts" }).apis.map((api) => [api.name, api.basePath])).toEqual([
      ["h7", "/dh7"],
      ["pnts", "/pnts"],
    ]);
  });

  test.each([
    ["/dh7", "/dh7"],
    ["/edi", "/edi/gamma2"],
  ])("overlapping base paths (%s and %s) stop start-up naming both variables", (h7, gamma2) => {
    expect(() => readConfig({ H7_BASE_PATH: h7, GAMMA2_BASE_PATH: gamma2 })).toThrow(
      new RegExp(`GAMMA2_BASE_PATH: ${gamma2} overlaps H7_BASE_PATH \\(${h7}\\)`),
    );
  });

  test("base paths that only share a prefix of characters do not overlap", () => {
    expect(readConfig({ H7_BASE_PATH: "/edi", GAMMA2_BASE_PATH: "/edi2" }).apis).toHaveLength(2);
  });

  test("one token registered for two APIs stops start-up", () => {
    expect(() => readConfig({ H7_TOKEN: TEST_TOKEN, PNTS_BASE_PATH: "/pnts", PNTS_TOKEN: TEST_TOKEN })).toThrow(
      /PNTS_TOKEN: the same as H7_TOKEN/,
    );
  });

  test("a message id place that is neither a header nor a JSON pointer stops start-up naming the variable", () => {
    expect(() => readConfig({ DELTAIE_BASE_PATH: "/die", DELTAIE_MESSAGE_ID: "messageId" })).toThrow(
      /DELTAIE_MESSAGE_ID: "messageId" is neither/,
    );
  });
});

describe.each(databaseProviders())("four APIs served at once on %s", (provider) => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService(provider, {
      GAMMA2_BASE_PATH: "/gamma2",
      GAMMA2_TOKEN,
      GAMMA2_MESSAGE_ID: "header:X-Message-Id",
      DELTAIE_BASE_PATH: "/deltaie",
      DELTAIE_TOKEN,
      DELTAIE_MESSAGE_ID: "/entete/identifiantMessage",
      PNTS_BASE_PATH: "/pnts",
      PNTS_TOKEN,
    });
  });
  afterAll(async () => {
    await service.stop();
  });

  test("each API accepts its own token and refuses every other API's with 401", async () => {
    const tokens = { h7: TEST_TOKEN, gamma2: GAMMA2_TOKEN, deltaie: DELTAIE_TOKEN, pnts: PNTS_TOKEN };
    const bases = { h7: "/dh7", gamma2: "/gamma2", deltaie: "/deltaie", pnts: "/pnts" };
    for (const [api, base] of Object.entries(bases)) {
      for (const [owner, token] of Object.entries(tokens)) {
        const body = api === "h7" ? withMessageId(errorH7Example) : { messageId: `iso-${api}-${owner}` };
        const path = api === "h7" ? paths.error : `${base}/notifications`;
        const answer = await postCallback(service.publicApp, path, body, { token });
        expect([api, owner, answer.status]).toEqual([api, owner, api === owner ? 200 : 401]);
      }
    }
  });

  test("a Gamma2 message is stored raw under its relative path, unchecked, and deduplicated by its header id", async () => {
    const body = '{"arc":"26FRA00000000000001","code":"IE801"}';
    const send = () =>
      postCallback(service.publicApp, "/gamma2/mouvements/26FRA00000000000001/notifications", body, {
        token: GAMMA2_TOKEN,
      }).set("X-Message-Id", "g2-0001");
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ messageId: "g2-0001", duplicate: false });
    expect((await send()).body).toMatchObject({ id: first.body.id, duplicate: true });
    const stored = await internal(service).get(`/v1/messages/${first.body.id}`);
    expect(stored.body).toMatchObject({
      api: "gamma2",
      channel: "/mouvements/26FRA00000000000001/notifications",
      validation: "unchecked",
      messageId: "g2-0001",
    });
    expect((await internal(service).get(`/v1/messages/${first.body.id}/raw`)).text).toBe(body);
  });

  test("a DeltaIE message is deduplicated by the JSON pointer configured for it", async () => {
    const body = { entete: { identifiantMessage: "die-42" }, mrn: "26FR000000000000A1" };
    const first = await postCallback(service.publicApp, "/deltaie/declarations/reponses", body, {
      token: DELTAIE_TOKEN,
    });
    expect(first.body).toMatchObject({ messageId: "die-42", duplicate: false });
    const again = await postCallback(
      service.publicApp,
      "/deltaie/declarations/reponses",
      { ...body, mrn: "other" },
      { token: DELTAIE_TOKEN },
    );
    expect(again.body).toMatchObject({ messageId: "die-42", duplicate: true, conflict: true });
  });

  test("a PNTS message without any message id is keyed by its body's SHA-256, and says so", async () => {
    const body = '{"presentation":{"mrn":"26FR000000000000B2"}}';
    const first = await postCallback(service.publicApp, "/pnts/presentations", body, { token: PNTS_TOKEN });
    expect(first.status).toBe(200);
    expect(first.body.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const retry = await postCallback(service.publicApp, "/pnts/presentations", body, { token: PNTS_TOKEN });
    expect(retry.body).toMatchObject({ id: first.body.id, duplicate: true });
    const other = await postCallback(service.publicApp, "/pnts/presentations", `${body} `, { token: PNTS_TOKEN });
    expect(other.body.id).not.toBe(first.body.id);
    const stored = await internal(service).get(`/v1/messages/${first.body.id}`);
    expect(stored.body.findings).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringContaining("SHA-256") }),
    ]);
  });

  test("a generic API refuses a body that is not JSON like H7 does, and keeps it in quarantine", async () => {
    const answer = await postCallback(service.publicApp, "/pnts/presentations", "<xml/>", {
      token: PNTS_TOKEN,
      contentType: "application/xml",
    });
    expect(answer.status).toBe(415);
    const kept = await internal(service).get(`/v1/quarantine/${answer.body.quarantineId}`);
    expect(kept.body).toMatchObject({ api: "pnts", channel: "/presentations", reason: "unsupported_content_type" });
  });

  test("messages, status and tokens are listed per API", async () => {
    const pnts = await internal(service).get("/v1/messages?api=pnts");
    expect(pnts.body.items.length).toBeGreaterThan(0);
    expect(pnts.body.items.every((item: { api: string }) => item.api === "pnts")).toBe(true);
    const apis = await internal(service).get("/v1/apis");
    expect(apis.body.items.map((item: { api: string; basePath: string }) => [item.api, item.basePath])).toEqual([
      ["h7", "/dh7"],
      ["gamma2", "/gamma2"],
      ["deltaie", "/deltaie"],
      ["pnts", "/pnts"],
    ]);
    const tokens = await internal(service).get("/v1/apis/deltaie/tokens");
    expect(tokens.body.items).toEqual([expect.objectContaining({ api: "deltaie", status: "active" })]);
  });
});
