import type { Db } from "../db/client";

export type UpkeepTask = "backup" | "archive" | "purge";

/** Records that `task` succeeded at `at`; status and metrics read the latest one. */
export async function markDone(db: Db, task: UpkeepTask, at: Date, detail: Record<string, unknown>): Promise<void> {
  const data = { at, detail: JSON.stringify(detail) };
  await db.upkeepMark.upsert({ where: { task }, create: { task, ...data }, update: data });
}

export async function lastDone(
  db: Db,
  task: UpkeepTask,
): Promise<{ at: Date; detail: Record<string, unknown> } | null> {
  const row = await db.upkeepMark.findUnique({ where: { task } });
  return row ? { at: row.at, detail: JSON.parse(row.detail) as Record<string, unknown> } : null;
}
