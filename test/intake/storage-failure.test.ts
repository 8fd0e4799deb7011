import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, type TestService } from "../support/service";

describe.each(databaseProviders())("intake when the database fails, on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  // The tables disappear under the running service: every write fails as it would on a broken database.
  const breakTables = () => service.db.$executeRawUnsafe(`ALTER TABLE "Message" RENAME TO "MessageAway"`);
  const repairTables = () => service.db.$executeRawUnsafe(`ALTER TABLE "MessageAway" RENAME TO "Message"`);

  test("a callback that cannot be committed gets 503 with Retry-After, and is stored once the database is back", async () => {
    const message = withMessageId(errorH7Example);
    await breakTables();
    try {
      const refused = await postCallback(service.publicApp, paths.error, message).expect(503);
      expect(refused.headers["retry-after"]).toBe("5");
      expect(refused.body.error).toBe("storage_unavailable");
    } finally {
      await repairTables();
    }
    expect(await service.db.message.count({ where: { messageId: message.header.messageId } })).toBe(0);
    const retried = await postCallback(service.publicApp, paths.error, message).expect(200);
    expect(retried.body.duplicate).toBe(false);
  });

  test("a refused body that cannot be quarantined gets 503, not 400", async () => {
    await service.db.$executeRawUnsafe(`ALTER TABLE "QuarantinedBody" RENAME TO "QuarantineAway"`);
    try {
      await postCallback(service.publicApp, paths.error, "not json").expect(503);
    } finally {
      await service.db.$executeRawUnsafe(`ALTER TABLE "QuarantineAway" RENAME TO "QuarantinedBody"`);
    }
  });
});

describe.each(databaseProviders())("a row the database refuses, on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  test("gets 400 and goes to quarantine with the database's reason, failing none of the callbacks committed with it", async () => {
    // A rule the database enforces that one message of the group breaks.
    await service.db.$executeRawUnsafe(
      provider === "postgresql"
        ? `ALTER TABLE "Message" ADD CONSTRAINT "lrn_not_poison" CHECK ("lrn" IS NULL OR "lrn" <> 'POISON')`
        : `CREATE TRIGGER "lrn_not_poison" BEFORE INSERT ON "Message" WHEN NEW."lrn" = 'POISON' BEGIN SELECT RAISE(ABORT, 'poison'); END`,
    );
    const good = Array.from({ length: 10 }, () => withMessageId(errorH7Example));
    const poison = withMessageId({ ...errorH7Example, declaration: { ...errorH7Example.declaration, lrn: "POISON" } });
    const answers = await Promise.all(
      [...good, poison].map((message) => postCallback(service.publicApp, paths.error, message)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(200), 400]);
    expect(answers[10].body).toMatchObject({ error: "unstorable", quarantineId: expect.any(Number) });
    expect(await service.db.message.count({ where: { messageId: { in: good.map((m) => m.header.messageId) } } })).toBe(
      10,
    );
    const kept = await service.db.quarantinedBody.findUniqueOrThrow({ where: { id: answers[10].body.quarantineId } });
    expect(kept).toMatchObject({ reason: "unstorable", messageId: poison.header.messageId });
    expect(JSON.parse(kept.detail).database.code).toBe(
      provider === "postgresql" ? "23514" : "SQLITE_CONSTRAINT_TRIGGER",
    );
  });
});
