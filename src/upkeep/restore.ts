import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type BackupCheck, checkBackup, syncFile } from "./backup";

class DatabaseInUse extends Error {}

/**
 * Puts a backup in place of the database at `target`, only when nothing has it open. The test: leaving WAL
 * mode needs the only connection to the file, so it fails while the service (or any CLI, both always open it in
 * WAL mode) has it open, and succeeds after a crash, where a pid or lock file would be stale. The connection then keeps a shared lock
 * (locking_mode=EXCLUSIVE) until the new file is in place, so a service starting meanwhile fails to write
 * instead of writing into the file being replaced. The replaced database is kept beside it.
 */
export function restoreSqlite(backup: string, target: string, now: Date): BackupCheck & { previous: string | null } {
  const check = checkBackup(backup);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const incoming = `${target}.restoring-${process.pid}`;
  fs.copyFileSync(backup, incoming); // the backup is a closed, checked file: copying it is safe
  syncFile(incoming);
  const lock = fs.existsSync(target) ? holdUnused(target) : null;
  let previous: string | null = null;
  try {
    if (lock) {
      previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
      fs.renameSync(target, previous);
    }
    // A -wal left beside the new file would be replayed into it.
    for (const suffix of ["-wal", "-shm", "-journal"]) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(incoming, target);
    syncFile(path.dirname(path.resolve(target)));
  } finally {
    lock?.close();
    fs.rmSync(incoming, { force: true });
  }
  return { ...check, file: target, previous };
}

function holdUnused(target: string): Database.Database {
  const db = new Database(target, { fileMustExist: true, timeout: 1_000 });
  try {
    const mode = db.pragma("journal_mode = DELETE", { simple: true });
    if (mode !== "delete") throw new DatabaseInUse();
    db.pragma("locking_mode = EXCLUSIVE");
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    return db;
  } catch (error) {
    db.close();
    if (error instanceof DatabaseInUse || (error as { code?: string }).code?.startsWith("SQLITE_BUSY")) {
      throw new DatabaseInUse(
        `${target} is in use: stop the service (and any other process using the database) before restoring`,
      );
    }
    throw error;
  }
}
