import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export type BackupCheck = { file: string; bytes: number; messages: number; lastMessageRowId: number | null };

/**
 * A consistent copy of a live SQLite database through SQLite's online backup API, never a file copy (a copy
 * taken while the service writes can tear a page or miss the WAL). All remaining pages go in one step, so in
 * one read transaction: with the default 100-page steps, every commit of the running service in between would
 * restart the copy. In WAL mode the service's writers do not wait for that reader.
 */
export async function backupSqlite(source: string, destination: string): Promise<BackupCheck> {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.existsSync(destination)) throw new Error(`${destination} already exists: back up to a new file`);
  fs.mkdirSync(path.dirname(path.resolve(destination)), { recursive: true });
  const partial = `${destination}.partial-${process.pid}`;
  const live = new Database(source, { fileMustExist: true, timeout: 5_000 });
  try {
    await live.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    live.close();
  }
  try {
    // A backup is one self-contained file: rollback journal, no -wal beside it. The service sets WAL again.
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    const check = checkBackup(partial);
    syncFile(partial);
    fs.renameSync(partial, destination);
    syncFile(path.dirname(path.resolve(destination)));
    return { ...check, file: destination };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** Opens a backup read-only and checks it is a whole receiver database: SQLite's quick_check, and our tables. */
export function checkBackup(file: string): BackupCheck {
  if (!fs.existsSync(file)) throw new Error(`no backup at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`${file} is damaged: ${String(check)}`);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('Message', '_prisma_migrations')")
      .all();
    if (tables.length !== 2) throw new Error(`${file} is not a douane-callback-receiver database`);
    const row = db.prepare(`SELECT COUNT(*) AS "messages", MAX("id") AS "last" FROM "Message"`).get() as {
      messages: number;
      last: number | null;
    };
    return { file, bytes: fs.statSync(file).size, messages: row.messages, lastMessageRowId: row.last };
  } finally {
    db.close();
  }
}

export function syncFile(file: string): void {
  const fd = fs.openSync(file, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
