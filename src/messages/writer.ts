import { DeadlineExceeded, withDeadline } from "../db/deadline";
import type { DriverSql } from "../db/driver";
import { databaseCodeOf, refusesData } from "../db/errors";
import { GroupQueue } from "../db/group-queue";
import { type Classification, classify, firstOfEachKey, keyOf } from "./classify";
import { groupInsert } from "./message-columns";
import type { MessageRecord } from "./records";
import {
  type AfterInsert,
  type GroupWritten,
  insertGroupAtOnce,
  insertGroupProcedure,
  storedUnder,
} from "./store-group";

/** A conflict is answered by the caller, who quarantines the body: that work stays off the commit loop.
 *  `unstorable`: the database refused this row for what it holds; retrying it can never succeed. */
export type StoreOutcome = Classification | { outcome: "unstorable"; code: string | null; message: string };

export interface Answered {
  record: MessageRecord;
  outcome: StoreOutcome;
  /** A body under the record's key was in quarantine, open, when its group committed (read in the same transaction). */
  quarantined: boolean;
}

interface Waiting {
  record: MessageRecord;
  resolve: (outcome: StoreOutcome) => void;
  reject: (error: unknown) => void;
}

export interface WriterOptions {
  /** A group commit still unanswered after this long fails its callers (503): the writer moves on. */
  commitTimeoutMs: number;
  /** Called when a commit overran: its connection is presumed stalled and should be replaced. */
  onOverrun?: () => void;
  onCommit?: (messages: number, seconds: number) => void;
  /** Called once a group's callers are answered, with what each record turned out to be and whether a quarantined
   *  body is open under its key (housekeeping that must never hold an acknowledgement). */
  onAnswered?: (answered: Answered[]) => void;
  /** What runs in the transaction that inserts the group, with the rows it inserted (feed positions, deliveries). */
  afterInsert?: () => AfterInsert;
}

const MAX_BATCH_ROWS = 200; // 20 parameters a row: well under SQLite's 32,766 and PostgreSQL's 65,535
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Group commit: messages that arrive while a commit is on disk are committed together by the next one,
 * each caller answered only after the commit that holds its row. One fsync then serves many callbacks,
 * which is what lets SQLite keep synchronous=FULL at intake speed.
 * Uniqueness is the database's: INSERT … ON CONFLICT DO NOTHING, never a check-then-insert.
 */
export class MessageWriter {
  private readonly groups = new GroupQueue<Waiting>((queue) => this.commitGroup(this.takeBatch(queue)));
  /** The last group commit failed for want of the database (not for a row's data): readiness looks again. */
  lastCommitFailed = false;

  constructor(
    private readonly sql: DriverSql,
    private readonly options: WriterOptions,
  ) {}

  /** Resolves once the groups queued so far are committed and answered: what a shutdown waits for before it
   *  closes the database under them. */
  idle(): Promise<void> {
    return this.groups.idle();
  }

  store(record: MessageRecord): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => this.groups.push({ record, resolve, reject }));
  }

  private async commitGroup(batch: Waiting[]): Promise<void> {
    try {
      await this.commitAndAnswer(batch);
      this.lastCommitFailed = false;
    } catch (error) {
      // Unreachable, locked, stalled: the whole group gets 503 at once, never one timeout per row.
      if (!refusesData(error)) {
        this.lastCommitFailed = true;
        if (error instanceof DeadlineExceeded) this.options.onOverrun?.();
        return batch.forEach((waiting) => waiting.reject(error));
      }
      if (batch.length === 1)
        return batch[0].resolve({
          outcome: "unstorable",
          code: databaseCodeOf(error) ?? null,
          message: (error as Error).message,
        });
      // One row the database refuses must not fail its neighbours: retry them one by one.
      for (const waiting of batch) await this.commitGroup([waiting]);
    }
  }

  private async commitAndAnswer(batch: Waiting[]): Promise<void> {
    const started = process.hrtime.bigint();
    const { outcomes, quarantined } = await withDeadline(
      this.commit(batch.map((waiting) => waiting.record)),
      this.options.commitTimeoutMs,
      "the group commit",
    );
    this.options.onCommit?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    batch.forEach((waiting, i) => waiting.resolve(outcomes[i]));
    this.options.onAnswered?.(
      batch.map(({ record }, i) => ({ record, outcome: outcomes[i], quarantined: quarantined.has(keyOf(record)) })),
    );
  }

  private takeBatch(queue: Waiting[]): Waiting[] {
    let bytes = 0;
    let count = 0;
    while (count < queue.length && count < MAX_BATCH_ROWS) {
      bytes += queue[count].record.storedBody.length;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return queue.splice(0, count);
  }

  /** Inserts what is new, looks up what was not inserted, and says what each record turned out to be. */
  private async commit(
    records: MessageRecord[],
  ): Promise<{ outcomes: Classification[]; quarantined: GroupWritten["quarantined"] }> {
    const firsts = firstOfEachKey(records);
    const { inserted, found, quarantined } = await this.insertNew(firsts);
    const unknown = firsts.filter((record) => !inserted.has(keyOf(record)) && !found.has(keyOf(record)));
    for (const [key, stored] of await storedUnder(this.sql, unknown)) found.set(key, stored);
    return { outcomes: classify(records, inserted, found), quarantined };
  }

  /** One transaction for the group (store-group.ts): the ids it inserted, the rows it found already stored
   *  under the other keys, and the keys with an open quarantined body. */
  private async insertNew(records: MessageRecord[]): Promise<GroupWritten> {
    const afterInsert = this.options.afterInsert?.() ?? null;
    if (this.sql.provider === "postgresql") return insertGroupAtOnce(this.sql, records, afterInsert);
    return this.sql.perform(insertGroupProcedure, {
      insert: groupInsert(records),
      named: records.map(({ api, messageId, declarations }) => ({ api, messageId, declarations })),
      afterInsert: afterInsert && { procedure: afterInsert.procedure, with: afterInsert.with },
    });
  }
}
