import type { Db } from "../db/client";
import type { DriverSql, SqlQuery } from "../db/driver";
import { quarantine } from "../quarantine/store";
import type { MessageRecord } from "./records";

export type StoreOutcome =
  | { outcome: "stored"; id: number }
  | { outcome: "duplicate"; id: number }
  | { outcome: "conflict"; id: number; quarantineId: number };

interface Waiting {
  record: MessageRecord;
  resolve: (outcome: StoreOutcome) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH_ROWS = 200; // 20 parameters a row: well under SQLite's 32,766 and PostgreSQL's 65,535
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
const MAX_DECLARATION_ROWS = 6_000; // 5 parameters a row: 30,000, under both limits; 200 registrations of 30 declarations

/**
 * Group commit: messages that arrive while a commit is on disk are committed together by the next one,
 * each caller answered only after the commit that holds its row. One fsync then serves many callbacks,
 * which is what lets SQLite keep synchronous=FULL at intake speed.
 * Uniqueness is the database's: INSERT … ON CONFLICT DO NOTHING, never a check-then-insert.
 */
export class MessageWriter {
  private queue: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly db: Db,
    private readonly sql: DriverSql,
    private readonly onCommit: (messages: number, seconds: number) => void = () => {},
    /** Runs in the transaction that inserts the group, with the rows it inserted (feed positions, deliveries). */
    private readonly onStored: StoredHook | null = null,
  ) {}

  store(record: MessageRecord): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // Let the requests already read from sockets join this batch before it is taken.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.takeBatch();
        try {
          await this.commitAndAnswer(batch);
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          // One row the database refuses must not fail its neighbours: retry them one by one.
          for (const waiting of batch) await this.commitAndAnswer([waiting]).catch((single) => waiting.reject(single));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitAndAnswer(batch: Waiting[]): Promise<void> {
    const started = process.hrtime.bigint();
    const outcomes = await this.commit(batch.map((waiting) => waiting.record));
    this.onCommit(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    batch.forEach((waiting, i) => waiting.resolve(outcomes[i]));
  }

  private takeBatch(): Waiting[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && count < MAX_BATCH_ROWS) {
      bytes += this.queue[count].record.rawBody.length;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async commit(records: MessageRecord[]): Promise<StoreOutcome[]> {
    const firstByKey = new Map<string, MessageRecord>();
    for (const record of records) if (!firstByKey.has(keyOf(record))) firstByKey.set(keyOf(record), record);
    const inserted = await this.insertNew([...firstByKey.values()]);
    const stored = new Map<string, { id: number; bodySha256: string }>();
    for (const [key, id] of inserted) stored.set(key, { id, bodySha256: firstByKey.get(key)!.bodySha256 });
    const notInserted = [...firstByKey.values()].filter((record) => !inserted.has(keyOf(record)));
    for (const [key, row] of await this.findStored(notInserted)) stored.set(key, row);

    const outcomes: StoreOutcome[] = [];
    for (const record of records) {
      const key = keyOf(record);
      const existing = stored.get(key);
      if (!existing) throw new Error(`message ${record.messageId} was neither inserted nor found`);
      if (firstByKey.get(key) === record && inserted.has(key)) {
        outcomes.push({ outcome: "stored", id: existing.id });
      } else if (existing.bodySha256 === record.bodySha256) {
        outcomes.push({ outcome: "duplicate", id: existing.id });
      } else {
        const quarantineId = await quarantine(this.db, {
          ...record,
          reason: "conflict",
          detail: { storedMessageRowId: existing.id, storedBodySha256: existing.bodySha256 },
        });
        outcomes.push({ outcome: "conflict", id: existing.id, quarantineId });
      }
    }
    return outcomes;
  }

  /** One transaction, so one commit, for the whole batch: the messages in one statement, then the declarations
   *  they name (a few statements at most); returns the ids of the rows it inserted. */
  private async insertNew(records: MessageRecord[]): Promise<Map<string, number>> {
    const rows = records.map(() => ROW_PLACEHOLDERS).join(", ");
    const args = records.flatMap((r) => [
      r.api, r.channel, r.messageId, JSON.stringify(r.pathParams), r.rawBody, r.bodySha256, r.contentType,
      JSON.stringify(r.headers), r.receivedAt, r.tokenId, r.validation, JSON.stringify(r.findings), r.lrn, r.mrn,
      r.customsDeclarationReference, r.customsRequestReference, r.operatorRequestReference, r.state,
      r.messageDateTime, r.messageDateTimeRaw,
    ]);
    const hook = this.onStored;
    return this.sql.transaction(async (tx) => {
      const returned = await tx.query(
        `INSERT INTO "Message" (${MESSAGE_COLUMNS}) VALUES ${rows} ON CONFLICT ("api", "messageId") DO NOTHING RETURNING ${RETURNED_COLUMNS}`,
        args,
      );
      const inserted = new Map(returned.map((row) => [keyOf(row as { api: string; messageId: string }), Number(row.id)]));
      const declarations = records.flatMap((record) => {
        const id = inserted.get(keyOf(record));
        return id === undefined ? [] : record.declarations.map((d) => [id, d.position, d.lrn, d.customsDeclarationReference, d.mrn]);
      });
      for (let start = 0; start < declarations.length; start += MAX_DECLARATION_ROWS) {
        const chunk = declarations.slice(start, start + MAX_DECLARATION_ROWS);
        await tx.query(`INSERT INTO "MessageDeclaration" (${DECLARATION_COLUMNS}) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")}`, chunk.flat());
      }
      if (hook) await hook(tx, returned.map(storedOf));
      return inserted;
    });
  }

  private async findStored(records: MessageRecord[]): Promise<Map<string, { id: number; bodySha256: string }>> {
    const found = new Map<string, { id: number; bodySha256: string }>();
    for (const api of new Set(records.map((record) => record.api))) {
      const messageIds = records.filter((record) => record.api === api).map((record) => record.messageId);
      const rows = await this.db.message.findMany({
        where: { api, messageId: { in: messageIds } },
        select: { id: true, api: true, messageId: true, bodySha256: true },
      });
      for (const row of rows) found.set(keyOf(row), { id: row.id, bodySha256: row.bodySha256 });
    }
    return found;
  }
}

const MESSAGE_COLUMNS = [
  "api", "channel", "messageId", "pathParams", "rawBody", "bodySha256", "contentType", "headers", "receivedAt", "tokenId",
  "validation", "findings", "lrn", "mrn", "customsDeclarationReference", "customsRequestReference",
  "operatorRequestReference", "state", "messageDateTime", "messageDateTimeRaw",
].map((column) => `"${column}"`).join(", ");
const DECLARATION_COLUMNS = `"messageRowId", "position", "lrn", "customsDeclarationReference", "mrn"`;
const ROW_PLACEHOLDERS = `(${MESSAGE_COLUMNS.split(", ").map(() => "?").join(", ")})`;

const RETURNED_COLUMNS = `"id", "api", "messageId", "channel", "customsDeclarationReference"`;

export interface StoredRow {
  id: number;
  api: string;
  channel: string;
  customsDeclarationReference: string | null;
}
export type StoredHook = (sql: SqlQuery, rows: StoredRow[]) => Promise<void>;

const storedOf = (row: Record<string, unknown>): StoredRow => ({
  id: Number(row.id),
  api: String(row.api),
  channel: String(row.channel),
  customsDeclarationReference: row.customsDeclarationReference === null ? null : String(row.customsDeclarationReference),
});

const keyOf = (message: { api: string; messageId: string }) => `${message.api}\u0000${message.messageId}`;
