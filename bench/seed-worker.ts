// Seeds the SQLite database on its own thread: better-sqlite3 is synchronous, so in the main thread it would stop
// the PostgreSQL load (fed by the main thread) from running beside it. Keeps its row stream across sizes.
import { parentPort } from "node:worker_threads";
import { seedSqlite } from "./seed";
import { storedMessages } from "./stored";

const next = storedMessages();
parentPort!.on("message", ({ file, rows }: { file: string; rows: number }) => {
  try {
    parentPort!.postMessage({ seeding: seedSqlite(file, next, rows) });
  } catch (error) {
    parentPort!.postMessage({ error: String(error) });
  }
});
