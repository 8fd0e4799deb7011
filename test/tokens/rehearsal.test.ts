import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, TEST_TOKEN, type TestService } from "../support/service";
import { waitFor } from "../support/wait";

const MINUTE = 60_000;

// Issue 17's "Done when": a rotation rehearsed end to end with an injected clock.
describe.each(databaseProviders())("a rotation rehearsed end to end on %s", (provider) => {
  let service: TestService;
  afterEach(() => service?.stop());

  test("green → yellow (pending unseen) → green (switched) → red (retired token still presented after the window) → extend → green", async () => {
    let now = new Date("2026-11-25T09:00:00Z");
    const advance = (minutes: number) => (now = new Date(now.getTime() + minutes * MINUTE));
    service = await startTestService(provider, {}, () => now);
    const api = internal(service);
    const status = async () =>
      (await api.get("/v1/apis").expect(200)).body.items[0] as {
        status: string;
        warnings: { code: string; message: string }[];
      };
    const callback = (token: string) =>
      postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), { token });
    const seen: string[] = [];
    const look = async () => {
      await service.tokens.flushUsage();
      const { status: light, warnings } = await status();
      seen.push(light);
      return { light, codes: warnings.map((warning) => warning.code) };
    };

    await callback(TEST_TOKEN).expect(200);
    expect(await look()).toEqual({ light: "green", codes: [] });

    const { body: created } = await api.post("/v1/apis/h7/tokens", { reason: "yearly rotation" }).expect(201);
    advance(61);
    expect(await look()).toEqual({ light: "yellow", codes: ["pending_unseen"] });

    // The portal now holds the new token: Douane's first callback with it switches.
    await callback(created.token).expect(200);
    await waitFor(async () => (await api.get("/v1/apis/h7/tokens").expect(200)).body.items[0].status === "active");
    expect(await look()).toEqual({ light: "green", codes: [] });

    // One Douane node never picked the change up; past the window its callbacks are refused.
    advance(31);
    await service.tokenAdmin.expireDue("h7");
    expect((await callback(TEST_TOKEN).expect(401)).body.reason).toBe("expired_token");
    const red = await look();
    expect(red).toEqual({ light: "red", codes: ["retired_token_presented", "configured_token_retired"] });
    expect((await status()).warnings[0].message).toContain(
      `Douane still presents the retired token (last at ${now.toISOString()})`,
    );

    const old = (await api.get("/v1/apis/h7/tokens").expect(200)).body.items.find(
      (token: { status: string }) => token.status === "expired",
    );
    const extended = await api
      .post(`/v1/apis/h7/tokens/${old.id}/extend`, { minutes: 30, reason: "a Douane node still has it" })
      .expect(200);
    expect(extended.body.oldToken.acceptedUntil).toBe(new Date(now.getTime() + 30 * MINUTE).toISOString());
    await callback(TEST_TOKEN).expect(200);
    expect(await look()).toEqual({ light: "green", codes: [] });

    expect(seen).toEqual(["green", "yellow", "green", "red", "green"]);
    await api.get("/health/ready").expect(200); // Douane's mistake, not ours: the service stays ready throughout
  }, 60_000);
});
