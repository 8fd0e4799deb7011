import { Client } from "pg";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { describeOnPostgres } from "../support/on-postgres";
import { postCallback, startTestService } from "../support/service";

describeOnPostgres("quarantine work is kept off the writer's commit path (PostgreSQL)", () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    // Quarantine writes wait for the lock below rather than give up while the test looks.
    service = await startTestService("postgresql", { DB_LOCK_TIMEOUT_MS: "20000", DB_STATEMENT_TIMEOUT_MS: "20000" });
  }, 60_000);
  afterAll(() => service?.stop());

  const waitingOnLocks = async (client: Client) =>
    Number(
      (
        await client.query(
          `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows[0].n,
    );

  test("while conflicts and invalid bodies wait to be quarantined, valid callbacks are stored and answered", async () => {
    const original = withMessageId(errorH7Example);
    await postCallback(service.publicApp, paths.error, original).expect(200);
    const locker = new Client({ connectionString: service.testDatabase.database.url });
    await locker.connect();
    // EXCLUSIVE: every write to the table waits (what quarantining a body does), reads go on; the group's statement
    // reads it (whether a body is open under its keys), as it reads Message. A DDL lock (ACCESS EXCLUSIVE) holds
    // that statement, as one on Message would.
    await locker.query(`BEGIN; LOCK TABLE "QuarantinedBody" IN EXCLUSIVE MODE`);
    const settled: string[] = [];
    try {
      const conflicts = [1, 2, 3].map((i) =>
        postCallback(service.publicApp, paths.error, {
          ...original,
          error: [{ ...original.error[0], errorCode: `C${i}` }],
        }).then((answer) => (settled.push("conflict"), answer)),
      );
      const invalid = postCallback(service.publicApp, paths.error, "not json").then(
        (answer) => (settled.push("invalid"), answer),
      );
      const observer = new Client({ connectionString: service.testDatabase.database.url });
      await observer.connect();
      for (let tries = 0; tries < 100 && (await waitingOnLocks(observer)) < 4; tries++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await observer.end();

      const valid = Array.from({ length: 5 }, () => withMessageId(errorH7Example));
      const answers = await Promise.all(
        valid.map((message) => postCallback(service.publicApp, paths.error, message).timeout(8_000)),
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(settled).toEqual([]); // the quarantine writes are still waiting

      await locker.query("COMMIT");
      const conflictAnswers = await Promise.all(conflicts);
      expect(conflictAnswers.map((answer) => answer.body)).toEqual(
        Array(3).fill(expect.objectContaining({ duplicate: true, conflict: true, quarantineId: expect.any(Number) })),
      );
      expect((await invalid).status).toBe(400);
      expect(
        await service.db.quarantinedBody.count({ where: { reason: "conflict", messageId: original.header.messageId } }),
      ).toBe(3);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
  }, 30_000);
});
