import request from "supertest";
import { databaseProviders } from "../support/databases";
import { startTestService, type TestService } from "../support/service";

describe.each(databaseProviders())("readiness on %s", (provider) => {
  let service: TestService;
  let now = new Date("2026-03-01T08:00:00Z");
  beforeAll(async () => {
    service = await startTestService(provider, {}, () => now);
  }, 60_000);
  afterAll(() => service?.stop());

  const ready = () => request(service.publicApp).get("/health/ready");
  const later = (ms: number) => (now = new Date(now.getTime() + ms));

  test("its result is reused for one second, then the database is checked again", async () => {
    await ready().expect(200);
    await service.db.$executeRawUnsafe(`ALTER TABLE "_prisma_migrations" RENAME TO "migrations_away"`);
    try {
      await ready().expect(200);
      later(999);
      await ready().expect(200);
      later(2);
      const notReady = await ready().expect(503);
      expect(notReady.body.checks).toMatchObject({ database: false, migrations: false });
    } finally {
      await service.db.$executeRawUnsafe(`ALTER TABLE "migrations_away" RENAME TO "_prisma_migrations"`);
    }
    later(1_000);
    await ready().expect(200);
  });
});
