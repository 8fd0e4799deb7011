import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { errorMessage } from "./messages";

describe.each(databaseProviders())("date-times outside years 0001–9999, on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  test.each(["0000-01-01T00:00:00Z", "9999-12-31T23:59:59-18:00"])(
    "a callback dated %j gets 400 naming the field and is quarantined",
    async (messageDateTime) => {
      const message = errorMessage({ messageDateTime });
      const answer = await postCallback(service.publicApp, paths.error, message).expect(400);
      expect(answer.body).toMatchObject({
        error: "invalid_schema",
        issues: [{ path: "header.messageDateTime", message: expect.stringContaining("0001 to 9999") }],
      });
      const kept = await service.db.quarantinedBody.findUniqueOrThrow({ where: { id: answer.body.quarantineId } });
      expect(kept).toMatchObject({ reason: "invalid_schema", messageId: message.header.messageId });
      expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
    },
  );

  test("in flag mode it is stored, marked invalid, without an instant", async () => {
    const flagging = await startTestService(provider, { VALIDATION_MODE: "flag" });
    try {
      const message = errorMessage({ messageDateTime: "9999-12-31T23:59:59-18:00" });
      const { body: ack } = await postCallback(flagging.publicApp, paths.error, message).expect(200);
      const { body } = await internal(flagging).get(`/v1/messages/${ack.id}`).expect(200);
      expect(body).toMatchObject({
        validation: "invalid",
        messageDateTime: null,
        messageDateTimeRaw: "9999-12-31T23:59:59-18:00",
      });
    } finally {
      await flagging.stop();
    }
  });

  test("a row stored earlier with such an instant does not make the list, the detail or the timeline answer 500", async () => {
    const { body: ack } = await postCallback(
      service.publicApp,
      paths.error,
      errorMessage({ customsDeclarationReference: "CDR-POISON" }),
    ).expect(200);
    // As an older version stored it, before the range was checked.
    const yearTenThousand = provider === "postgresql" ? "10000-01-01 17:59:59" : "+010000-01-01T17:59:59.000+00:00";
    await service.db.$executeRawUnsafe(
      `UPDATE "Message" SET "messageDateTime" = '${yearTenThousand}' WHERE "id" = ${ack.id}`,
    );
    const { body: page } = await internal(service)
      .get("/v1/messages?customsDeclarationReference=CDR-POISON")
      .expect(200);
    expect(page.items).toEqual([
      expect.objectContaining({ id: ack.id, messageDateTime: null, messageDateTimeRaw: expect.any(String) }),
    ]);
    await internal(service).get(`/v1/messages/${ack.id}`).expect(200);
    const { body: timeline } = await internal(service).get("/v1/declarations/CDR-POISON").expect(200);
    expect(timeline.messages.map((m: { id: number }) => m.id)).toEqual([ack.id]);
  });
});
