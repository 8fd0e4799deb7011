import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";
import { waitFor } from "../support/wait";

const MINUTE = 60_000;

describe.each(databaseProviders())("token rotation on %s", (provider) => {
  let service: TestService;
  let now: Date;
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const api = () => internal(service);
  const callback = (token: string) =>
    postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token });
  const secrets: string[] = [TEST_TOKEN];
  const answers: string[] = [];
  const remember = <T extends { text: string }>(answer: T) => (answers.push(answer.text), answer);

  beforeEach(async () => {
    now = new Date("2026-11-25T10:00:00Z");
    service = await startTestService(provider, {}, () => now);
  }, 60_000);
  afterEach(async () => {
    // No token value in any log line, nor in any answer but the one that created it.
    for (const secret of secrets) {
      expect(service.logText()).not.toContain(secret);
      expect(answers.filter((text) => text.includes(secret)).length).toBeLessThanOrEqual(1);
    }
    await service?.stop();
  });

  const rotate = async (reason = "yearly rotation") => {
    const answer = remember(await api().post("/v1/apis/h7/tokens", { reason }).set("X-Actor", "alice").expect(201));
    secrets.push(answer.body.token);
    return answer.body as { id: number; token: string; status: string; fingerprint: string };
  };
  const tokens = async () =>
    remember(await api().get("/v1/apis/h7/tokens").expect(200)).body.items as {
      id: number;
      status: string;
      expiresAt: string | null;
    }[];
  const activeId = async () => (await tokens()).find((token) => token.status === "active")!.id;

  test("a rotation creates a pending token, shown once, 256 random bits in URL-safe text", async () => {
    const created = await rotate();
    expect(created).toMatchObject({ status: "pending", token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const listed = remember(await api().get("/v1/apis/h7/tokens").expect(200));
    expect(listed.text).not.toContain(created.token);
    expect(listed.body.items.map((token: { status: string }) => token.status)).toEqual(["pending", "active"]);
  });

  test("a second rotation is refused with 409 while a token is pending, and allowed once it is cancelled", async () => {
    const first = await rotate();
    const refused = await api().post("/v1/apis/h7/tokens", {}).expect(409);
    expect(refused.body.error).toBe("pending_exists");
    await api().delete(`/v1/apis/h7/tokens/${first.id}`).expect(200);
    await rotate();
  });

  test("the pending token is accepted before any switch, and its first use switches automatically", async () => {
    const oldId = await activeId();
    const pending = await rotate();
    const answer = await callback(pending.token).expect(200);
    const stored = await service.db.message.findUniqueOrThrow({ where: { id: answer.body.id } });
    expect(stored.tokenId).toBe(pending.id);
    await waitFor(async () => (await tokens()).find((token) => token.id === pending.id)?.status === "active");
    const old = (await tokens()).find((token) => token.id === oldId)!;
    expect(old).toMatchObject({ status: "retiring", expiresAt: new Date(now.getTime() + 30 * MINUTE).toISOString() });
    const events = remember(await api().get("/v1/apis/h7/tokens/events").expect(200)).body.items;
    expect(events[0]).toMatchObject({
      event: "activated",
      actor: "douane",
      tokenId: pending.id,
      detail: { retiringTokenId: oldId },
    });
  });

  test("during the window both tokens get 200; after expiresAt the old one gets 401", async () => {
    const pending = await rotate();
    await api().post(`/v1/apis/h7/tokens/${pending.id}/activate?force=true`, { reason: "portal updated" }).expect(200);
    advance(29 * MINUTE);
    await callback(TEST_TOKEN).expect(200);
    await callback(pending.token).expect(200);
    advance(MINUTE - 1);
    await callback(TEST_TOKEN).expect(200);
    advance(1);
    await callback(TEST_TOKEN).expect(401);
    await callback(pending.token).expect(200);
    expect(await service.tokenAdmin.expireDue("h7")).toBe(1);
    const statuses = (await tokens()).map((token) => token.status);
    expect(statuses).toEqual(["active", "expired"]);
  });

  test("revoking is immediate; the last usable token is revoked only by force", async () => {
    const pending = await rotate();
    await api().post(`/v1/apis/h7/tokens/${pending.id}/activate?force=true`, {}).expect(200);
    const oldId = (await tokens()).find((token) => token.status === "retiring")!.id;
    await api().post(`/v1/apis/h7/tokens/${oldId}/revoke`, { reason: "leaked in a ticket" }).expect(200);
    await callback(TEST_TOKEN).expect(401);
    const refused = await api().post(`/v1/apis/h7/tokens/${pending.id}/revoke`, {}).expect(409);
    expect(refused.body.error).toBe("last_usable_token");
    await callback(pending.token).expect(200);
    await api().post(`/v1/apis/h7/tokens/${pending.id}/revoke`, { force: true }).expect(200);
    await callback(pending.token).expect(401);
    const status = (await api().get("/v1/apis").expect(200)).body.items[0];
    expect(status).toMatchObject({ api: "h7", basePath: "/dh7", status: "red", tokens: [] });
  });

  test("only a pending token can be cancelled; an unknown one is 404", async () => {
    const refused = await api()
      .delete(`/v1/apis/h7/tokens/${await activeId()}`)
      .expect(409);
    expect(refused.body.error).toBe("not_pending");
    await api().delete("/v1/apis/h7/tokens/99999").expect(404);
    await api().get("/v1/apis/other/tokens").expect(400);
  });

  test("the audit log holds every step with its actor and reason, newest first, a page at a time by cursor", async () => {
    const first = await rotate("first try");
    await api().delete(`/v1/apis/h7/tokens/${first.id}?reason=typo`).set("X-Actor", "bob").expect(200);
    const second = await rotate("second try");
    await api()
      .post(`/v1/apis/h7/tokens/${second.id}/activate?force=true`, { reason: "portal updated" })
      .set("X-Actor", "alice")
      .expect(200);
    advance(31 * MINUTE);
    await service.tokenAdmin.expireDue("h7");
    const events = remember(await api().get("/v1/apis/h7/tokens/events?limit=3").expect(200)).body;
    expect(events.items.map((event: { event: string }) => event.event)).toEqual([
      "expired",
      "activated (forced)",
      "rotated",
    ]);
    expect(events.items[1]).toMatchObject({
      actor: expect.stringMatching(/^alice \(credential [0-9a-f]{12}\)$/),
      reason: "portal updated",
    });
    const rest = (await api().get(`/v1/apis/h7/tokens/events?cursor=${events.nextCursor}`).expect(200)).body;
    expect(
      rest.items.map((event: { event: string; actor: string }) => `${event.event} by ${event.actor.split(" ")[0]}`),
    ).toEqual(["cancelled by bob", "rotated by alice", "seeded by environment"]);
    expect(rest.nextCursor).toBeNull();
    const foreign = Buffer.from("m5").toString("base64url"); // a message list's cursor
    const refused = (await api().get(`/v1/apis/h7/tokens/events?cursor=${foreign}`).expect(400)).body;
    expect(refused.issues).toEqual([expect.objectContaining({ path: "cursor" })]);
  });

  test("the API status is green, yellow while a token is pending or a token warns, green again once switched", async () => {
    const status = async () => (await api().get("/v1/apis").expect(200)).body.items[0];
    expect((await status()).status).toBe("green");
    const pending = await rotate();
    expect((await status()).status).toBe("yellow");
    advance(61 * MINUTE);
    expect((await status()).warnings).toEqual([
      expect.objectContaining({ tokenId: pending.id, code: "pending_unseen" }),
    ]);
    await api().post(`/v1/apis/h7/tokens/${pending.id}/activate?force=true`, {}).expect(200);
    expect((await status()).status).toBe("green"); // the old token retiring unused is the plan
    advance(16 * MINUTE);
    await callback(TEST_TOKEN).expect(200);
    await service.tokens.flushUsage();
    expect(await status()).toMatchObject({
      status: "yellow",
      warnings: [expect.objectContaining({ code: "retiring_still_used" })],
    });
    advance(15 * MINUTE);
    await service.tokenAdmin.expireDue("h7");
    expect((await status()).status).toBe("green");
  });

  test("token use is counted with first and last seen times", async () => {
    await callback(TEST_TOKEN).expect(200);
    advance(MINUTE);
    await callback(TEST_TOKEN).expect(200);
    await service.tokens.flushUsage();
    const [active] = remember(await api().get("/v1/apis/h7/tokens").expect(200)).body.items;
    expect(active).toMatchObject({
      useCount: 2,
      firstSeenAt: "2026-11-25T10:00:00.000Z",
      lastSeenAt: "2026-11-25T10:01:00.000Z",
    });
  });
});
