import { databaseProviders } from "../support/databases";
import { paths, registrationH7Example, withMessageId } from "../support/examples";
import { postCallback, startTestService, type TestService } from "../support/service";

describe.each(databaseProviders())(
  "a message and the declarations it names are committed together, on %s",
  (provider) => {
    let service: TestService;
    beforeAll(async () => {
      service = await startTestService(provider);
    }, 60_000);
    afterAll(() => service?.stop());

    test("when its declarations cannot be written the message is not stored either, and Douane gets 503", async () => {
      await service.db.$executeRawUnsafe('ALTER TABLE "MessageDeclaration" RENAME TO "MessageDeclarationAway"');
      const message = withMessageId(registrationH7Example);
      try {
        const refused = await postCallback(service.publicApp, paths.registration("REQ-ATOMIC"), message).expect(503);
        expect(refused.body.error).toBe("storage_unavailable");
        expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
      } finally {
        await service.db.$executeRawUnsafe('ALTER TABLE "MessageDeclarationAway" RENAME TO "MessageDeclaration"');
      }
      // Douane's retry, once the table is back: stored with its declaration.
      const { body } = await postCallback(service.publicApp, paths.registration("REQ-ATOMIC"), message).expect(200);
      expect(body.duplicate).toBe(false);
      expect(await service.db.messageDeclaration.count({ where: { messageRowId: body.id } })).toBe(1);
    });
  },
);
