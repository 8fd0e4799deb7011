import { startThread } from "./thread-file";

/** How often the checkpoint thread copies the WAL's new pages into the database file. */
const CHECKPOINT_EVERY_MS = 100;

/** From this many pages in the WAL (40 MiB of SQLite's 4 KiB pages) the writer checkpoints on its own at the end of
 *  a commit, as it does from 1,000 by default. SQLite starts the WAL over only at a commit that finds it all copied:
 *  under continuous intake the checkpoint thread seldom leaves it so (commits land during each of its passes), and the
 *  writer's checkpoint here, with at most the last pass's 100 ms left to copy, is what lets it start over. It also
 *  bounds the WAL should the thread fall behind or stop. */
export const WRITER_CHECKPOINT_PAGES = 10_000;

export interface CheckpointThreadData {
  file: string;
  everyMs: number;
}

/**
 * In WAL mode SQLite copies the WAL's pages into the database file (a checkpoint) at the end of the commit that
 * takes the WAL past 1,000 pages, on the committing connection. The intake writes about 100 pages a group commit
 * (a row touches a leaf of each of Message's indexes and of MessageDeclaration's), so every tenth group's callers
 * waited for a checkpoint of several milliseconds and its syncs before their answers, and the next group for them.
 * Here a thread of its own, with its own connection, checkpoints every 100 ms: PASSIVE, it copies what no reader
 * still needs without waiting for the writer or the readers, and SQLite starts the WAL over at the commit after one
 * that copied it all. Resolves once the thread's connection is open (or the thread failed: the writer's own
 * checkpoints remain), with what stops the thread and closes its connection.
 */
export async function checkpointInBackground(file: string): Promise<() => Promise<void>> {
  const thread = startThread(__dirname, "sqlite-checkpoint-worker", {
    workerData: { file, everyMs: CHECKPOINT_EVERY_MS } satisfies CheckpointThreadData,
  });
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  // Should the thread fail, the writer's own checkpoints keep the WAL bounded (WRITER_CHECKPOINT_PAGES).
  thread.on("error", () => {});
  await Promise.race([new Promise((resolve) => thread.once("message", resolve)), exited]);
  thread.unref();
  return async () => {
    thread.postMessage("stop");
    await exited;
  };
}
