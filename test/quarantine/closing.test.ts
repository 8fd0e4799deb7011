import { errorMessage } from "../messages/messages";
import { cli } from "../support/cli";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";
import { waitFor } from "../support/wait";

describe.each(databaseProviders())("closing and counting quarantined bodies on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    service = await startTestService(provider);
    env = { DATABASE_URL: service.testDatabase.database.url };
  }, 60_000);
  afterAll(() => service?.stop());

  const post = (body: unknown) => postCallback(service.publicApp, paths.error, body);
  const detail = async (id: number) => (await internal(service).get(`/v1/quarantine/${id}`).expect(200)).body;
  const openRows = async () =>
    (await internal(service).get("/v1/quarantine?state=open&limit=500").expect(200)).body.items as { id: number }[];
  const waitingGauge = async () => {
    const text = (await internal(service).get("/metrics").expect(200)).text;
    return Number(/^receiver_quarantine_rows\{api="h7"\} (\d+)$/m.exec(text)?.[1] ?? "0");
  };

  test("identical refused bodies are kept once, with how many came and when the last did", async () => {
    const before = await service.db.quarantinedBody.count();
    const text = `{"not json ${Date.now()}`;
    const first = (await post(text).expect(400)).body.quarantineId;
    const again = (await post(text).expect(400)).body.quarantineId;
    const third = (await post(text).expect(400)).body.quarantineId;
    expect([again, third]).toEqual([first, first]);
    expect(await service.db.quarantinedBody.count()).toBe(before + 1);
    const row = await detail(first);
    expect(row).toMatchObject({ seenCount: 3, bodyBytes: Buffer.byteLength(text), lastSeenAt: expect.any(String) });
    expect(Date.parse(row.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(row.receivedAt));

    const elsewhere = await postCallback(service.publicApp, paths.response("CDR-DEDUP"), text).expect(400);
    expect(elsewhere.body.quarantineId).not.toBe(first); // another channel: another row
  });

  test("a body dismissed with a reason records who, when and why, leaves the waiting count, and cannot be accepted", async () => {
    const id = (await post({ ...errorMessage(), error: "nothing" }).expect(400)).body.quarantineId;
    const waiting = await waitingGauge();
    expect((await openRows()).map((row) => row.id)).toContain(id);
    const { body } = await internal(service)
      .post(`/v1/quarantine/${id}/dismiss`, { reason: "test message from the portal" })
      .set("X-Actor", "Camille")
      .expect(200);
    expect(body).toMatchObject({
      id,
      dismissedAt: expect.any(String),
      dismissedBy: expect.stringMatching(/^Camille \(credential /),
      dismissedReason: "test message from the portal",
    });
    expect(await waitingGauge()).toBe(waiting - 1);
    expect((await openRows()).map((row) => row.id)).not.toContain(id);
    expect(
      (await internal(service).get("/v1/quarantine?state=dismissed").expect(200)).body.items.map(
        (row: { id: number }) => row.id,
      ),
    ).toContain(id);

    const twice = await internal(service).post(`/v1/quarantine/${id}/dismiss`, { reason: "again" }).expect(409);
    expect(twice.body).toMatchObject({ error: "already_dismissed", dismissedReason: "test message from the portal" });
    const accepted = await internal(service)
      .post(`/v1/quarantine/${id}/accept`, { reason: "after all", messageId: "manual-dismissed" })
      .expect(409);
    expect(accepted.body.error).toBe("already_dismissed");
    expect(
      (await internal(service).post(`/v1/quarantine/${id}/dismiss`, { reason: " " }).expect(400)).body.issues,
    ).toEqual([expect.objectContaining({ path: "reason" })]);
    await internal(service).post("/v1/quarantine/999999/dismiss", { reason: "ghost" }).expect(404);
  });

  test("quarantine dismiss on the command line records the actor and reason; refusals exit 1 with their reason", async () => {
    const id = (await post({ ...errorMessage(), error: "cli" }).expect(400)).body.quarantineId;
    const dismissed = await cli(
      env,
      "quarantine",
      "dismiss",
      String(id),
      "--reason",
      "duplicate of ticket 7",
      "--actor",
      "Sam",
    );
    expect(dismissed.code).toBe(0);
    expect(dismissed.stdout).toMatch(/^dismissedBy\s+Sam$/m);
    expect(dismissed.stdout).toMatch(/^dismissedReason\s+duplicate of ticket 7$/m);
    const again = await cli(env, "quarantine", "dismiss", String(id), "--reason", "x");
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `refused (already_dismissed): quarantined body ${id} was already dismissed by Sam`,
      ),
    });
    const open = JSON.parse(
      (await cli(env, "--json", "quarantine", "list", "--state", "open", "--limit", "500")).stdout,
    );
    expect(open.items.map((row: { id: number }) => row.id)).not.toContain(id);
  });

  test("an invalid body closes by itself when Douane re-sends the message valid", async () => {
    const valid = errorMessage({ lrn: "LRN-RESENT" });
    const invalid = (await post({ ...valid, error: "broken" }).expect(400)).body.quarantineId;
    const stored = (await post(valid).expect(200)).body;
    // Closed just after the answer (a locked quarantine table must not hold the callback).
    await waitFor(async () => (await detail(invalid)).dismissedAt !== null);
    expect(await detail(invalid)).toMatchObject({
      dismissedBy: "system",
      dismissedReason: `superseded by message ${stored.id} (a later valid re-send)`,
      dismissedAt: expect.any(String),
      acceptedAt: null,
    });
  });

  test("a conflicting body closes by itself when Douane re-sends the stored message, not before", async () => {
    const first = errorMessage({ lrn: "LRN-ORIGINAL" });
    const stored = (await post(first).expect(200)).body;
    const conflict = (await post({ ...first, declaration: { ...first.declaration, lrn: "LRN-OTHER" } }).expect(200))
      .body.quarantineId;
    expect(await detail(conflict)).toMatchObject({ reason: "conflict", dismissedAt: null });
    await post(first).expect(200);
    await waitFor(async () => (await detail(conflict)).dismissedAt !== null);
    expect(await detail(conflict)).toMatchObject({
      dismissedBy: "system",
      dismissedReason: `superseded by message ${stored.id} (a later valid re-send)`,
    });
  });
});
