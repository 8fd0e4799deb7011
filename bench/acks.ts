// "Zero lost acknowledgements": every 200 the driver received must name a row that is in the database,
// with the id the answer gave. Read straight from the database file or server, not through the service.
import fs from "node:fs";
import Database from "better-sqlite3";
import { Client } from "pg";

export interface AckCheck {
  acknowledged: number; // distinct messageIds answered 200
  found: number;
  lost: number;
  wrongId: number; // found, but under another id than the one acknowledged
  rows: number; // messages in the table (a few more than acknowledged: requests in flight when the run stopped)
}

export type DatabaseLocation = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

/** messageId → the ids it was acknowledged with (a duplicate must be acknowledged with the first id). */
function readAcks(files: string[]): Map<string, Set<number>> {
  const acks = new Map<string, Set<number>>();
  for (const file of files) {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (line === "") continue;
      const [messageId, id] = line.split("\t");
      let ids = acks.get(messageId);
      if (!ids) acks.set(messageId, (ids = new Set()));
      ids.add(Number(id));
    }
  }
  return acks;
}

function tally(acks: Map<string, Set<number>>, stored: Map<string, number>, rows: number): AckCheck {
  let found = 0;
  let wrongId = 0;
  for (const [messageId, ids] of acks) {
    const id = stored.get(messageId);
    if (id === undefined) continue;
    found++;
    if (ids.size !== 1 || !ids.has(id)) wrongId++;
  }
  return { acknowledged: acks.size, found, lost: acks.size - found, wrongId, rows };
}

export async function checkAcks(database: DatabaseLocation, ackFiles: string[]): Promise<AckCheck> {
  const acks = readAcks(ackFiles);
  const messageIds = [...acks.keys()];
  const stored = new Map<string, number>();
  if (database.provider === "sqlite") {
    const db = new Database(database.file, { readonly: true });
    const select = db.prepare(`SELECT "id" FROM "Message" WHERE "api" = 'h7' AND "messageId" = ?`).pluck();
    for (const messageId of messageIds) {
      const id = select.get(messageId) as number | undefined;
      if (id !== undefined) stored.set(messageId, id);
    }
    const rows = db.prepare(`SELECT count(*) FROM "Message"`).pluck().get() as number;
    db.close();
    return tally(acks, stored, rows);
  }
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    for (let i = 0; i < messageIds.length; i += 10_000) {
      const { rows } = await client.query<{ id: number; messageId: string }>(
        `SELECT "id", "messageId" FROM "Message" WHERE "api" = 'h7' AND "messageId" = ANY($1::text[])`,
        [messageIds.slice(i, i + 10_000)],
      );
      for (const row of rows) stored.set(row.messageId, row.id);
    }
    const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM "Message"`);
    return tally(acks, stored, Number(rows[0].count));
  } finally {
    await client.end();
  }
}
