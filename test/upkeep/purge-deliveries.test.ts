import { purge } from "../../src/upkeep/purge";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { postCallback, startTestService, type TestService } from "../support/service";

const at = (iso: string) => new Date(iso);
const retention = { days: 30, byApi: { h7: undefined } };

describe.each(databaseProviders())("retention of deliveries on %s (injected clock)", (provider) => {
  let service: TestService;
  let now = at("2026-01-01T10:00:00Z");
  const messageRowIds = new Map<string, number>();
  const receive = async (messageId: string) => {
    const answer = await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example, messageId)).expect(
      200,
    );
    messageRowIds.set(messageId, answer.body.id);
  };
  /** A delivery of `messageId` to destination `destinationId`, created at `createdAt`, with one attempt a minute. */
  const delivery = async (
    messageId: string,
    destinationId: number,
    status: "pending" | "delivered" | "failed",
    createdAt: Date,
    attempts: number,
  ) => {
    const row = await service.db.delivery.create({
      data: {
        destinationId,
        messageRowId: messageRowIds.get(messageId)!,
        position: messageRowIds.get(messageId)!,
        trigger: "live",
        status,
        attempts,
        nextAttemptAt: createdAt,
        createdAt,
        completedAt: status === "pending" ? null : new Date(createdAt.getTime() + attempts * 60_000),
      },
    });
    for (let n = 1; n <= attempts; n++)
      await service.db.deliveryAttempt.create({
        data: { deliveryId: row.id, at: new Date(createdAt.getTime() + n * 60_000), status: 503, durationMs: 5 },
      });
    return row.id;
  };
  const remainingDeliveries = async () =>
    (await service.db.delivery.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((row) => row.id);
  const attemptsOf = async () =>
    (await service.db.deliveryAttempt.findMany({ select: { deliveryId: true } })).map((row) => row.deliveryId).sort();
  const messagesLeft = async () =>
    (await service.db.message.findMany({ orderBy: { id: "asc" }, select: { messageId: true } })).map(
      (row) => row.messageId,
    );

  const ids: Record<string, number> = {};
  beforeAll(async () => {
    service = await startTestService(provider, {}, () => now);
    await receive("old-delivered"); // 2026-01-01
    await receive("old-still-owed");
    now = at("2026-02-20T10:00:00Z");
    await receive("recent");
    ids.oldDelivered = await delivery("old-delivered", 1, "delivered", at("2026-01-01T10:00:00Z"), 2);
    ids.oldFailed = await delivery("old-delivered", 2, "failed", at("2026-01-01T10:00:00Z"), 8);
    ids.oldPending = await delivery("old-still-owed", 1, "pending", at("2026-01-01T10:00:00Z"), 3);
    ids.recent = await delivery("recent", 1, "delivered", at("2026-02-20T10:00:00Z"), 1);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
  });

  test("an ended delivery past retention goes with its attempts; a recent one and a pending one stay with theirs", async () => {
    const report = await purge(service.db, { now: at("2026-03-01T00:00:00Z"), retention, dryRun: false, batch: 1 });

    expect(report.tables.find((line) => line.table === "Delivery")).toMatchObject({ removed: 2 });
    expect(await remainingDeliveries()).toEqual([ids.oldPending, ids.recent]);
    expect(await attemptsOf()).toEqual([ids.oldPending, ids.oldPending, ids.oldPending, ids.recent].sort());
  });

  test("a message past retention is kept while a delivery of it is pending, and goes once that delivery ended", async () => {
    const dry = await purge(service.db, { now: at("2026-03-01T00:00:00Z"), retention, dryRun: true });
    expect(dry.tables.find((line) => line.table === "Message")).toMatchObject({ removed: 0, keptPendingDelivery: 1 });
    expect(await messagesLeft()).toEqual(["old-still-owed", "recent"]);

    await service.db.delivery.update({
      where: { id: ids.oldPending },
      data: { status: "delivered", completedAt: at("2026-03-01T12:00:00Z") },
    });
    const report = await purge(service.db, { now: at("2026-03-02T00:00:00Z"), retention, dryRun: false });

    expect(report.tables.find((line) => line.table === "Message")).toMatchObject({
      removed: 1,
      keptPendingDelivery: 0,
    });
    expect(await messagesLeft()).toEqual(["recent"]);
    expect(await remainingDeliveries()).toEqual([ids.recent]);
    expect(await attemptsOf()).toEqual([ids.recent]);
  });
});
