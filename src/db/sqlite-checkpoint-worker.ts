import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CheckpointThreadData } from "./sqlite-checkpoints";

/** The checkpoint thread (see sqlite-checkpoints.ts): its own connection, a PASSIVE checkpoint at each tick. */
const { file, everyMs } = workerData as CheckpointThreadData;
const db = new Database(file, { fileMustExist: true });
// A checkpoint syncs the WAL before copying it and the database file before the WAL is reused.
db.pragma("synchronous = FULL");
const checkpointing = setInterval(() => {
  try {
    // A read first: a connection opened before the database was put in WAL mode (the service's first start on a
    // new file) sees the WAL at its next read, and a checkpoint alone is not one.
    db.pragma("schema_version");
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Retried at the next tick; meanwhile the writer's own checkpoint bounds the WAL (sqlite-checkpoints.ts).
  }
}, everyMs);

parentPort!.postMessage("ready");
parentPort!.once("message", () => {
  clearInterval(checkpointing);
  db.close();
  parentPort!.close();
});
