import { errorH7Example, paths, withMessageId } from "../support/examples";
import { describeOnPostgres } from "../support/on-postgres";
import { postCallback, startTestService, type TestService } from "../support/service";

describeOnPostgres("stored bodies on PostgreSQL", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService("postgresql");
  });
  afterAll(() => service.stop());

  test("are compressed with LZ4 under 64 KiB, where the service keeps them as they came, and read back byte for byte", async () => {
    const columns = await service.db.$queryRawUnsafe<{ table: string; compression: string }[]>(
      `SELECT attrelid::regclass::text AS "table", attcompression::text AS compression FROM pg_attribute
        WHERE attname = 'rawBody' AND attrelid IN ('"Message"'::regclass, '"QuarantinedBody"'::regclass)`,
    );
    expect(columns).toEqual(
      expect.arrayContaining([
        { table: '"Message"', compression: "l" },
        { table: '"QuarantinedBody"', compression: "l" },
      ]),
    );
    const message = withMessageId({
      ...errorH7Example,
      error: Array.from({ length: 150 }, (_, i) => ({ ...errorH7Example.error[0], errorPointer: `item[${i}]` })),
    });
    const body = Buffer.from(JSON.stringify(message));
    expect(body.length).toBeLessThan(64 * 1024);
    await postCallback(service.publicApp, paths.error, body).expect(200);
    const [stored] = await service.db.$queryRawUnsafe<{ body: Buffer; compression: string }[]>(
      `SELECT "rawBody" AS body, pg_column_compression("rawBody") AS compression FROM "Message" WHERE "messageId" = $1`,
      message.header.messageId,
    );
    expect(stored.compression).toBe("lz4");
    expect(Buffer.compare(stored.body, body)).toBe(0);
  });
});
