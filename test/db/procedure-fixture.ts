import type { Procedure, SqlQuery } from "../../src/db/driver";

/** Procedures for test/db/procedures.test.ts, found by name where the connection lives (the SQLite thread). */
interface Note {
  actor: string;
  body: Uint8Array;
}

/** @public */
export const procedures = {
  /** Writes the notes, sending each without waiting for it, and answers what the database holds of them. */
  writeNotes: async (sql: SqlQuery, notes: Note[]) => {
    for (const note of notes)
      await sql.send(
        `INSERT INTO "TokenEvent" ("api", "event", "actor", "at", "detail") VALUES ('h7', 'note', ?, ?, ?)`,
        [note.actor, new Date(), Buffer.from(note.body).toString("hex")],
      );
    const rows = await sql.query(`SELECT "actor", "detail" FROM "TokenEvent" WHERE "event" = 'note' ORDER BY "id"`, []);
    return rows.map((row) => `${row.actor}:${row.detail}`);
  },
  /** Writes one note, then a statement the database refuses, sent without waiting. */
  failAfterWriting: async (sql: SqlQuery, actor: string) => {
    await sql.send(`INSERT INTO "TokenEvent" ("api", "event", "actor", "at") VALUES ('h7', 'note', ?, ?)`, [
      actor,
      new Date(),
    ]);
    await sql.send(`INSERT INTO "NoSuchTable" ("x") VALUES (?)`, [1]);
  },
};

export const writeNotes: Procedure<Note[], string[]> = { module: __filename, name: "writeNotes" };
export const failAfterWriting: Procedure<string, void> = { module: __filename, name: "failAfterWriting" };
