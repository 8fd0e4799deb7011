/** What a group commit means for each callback in it, from what the database answered. Pure. */

export interface Keyed {
  api: string;
  messageId: string;
  bodySha256: string;
}

export type Classification =
  | { outcome: "stored"; id: number }
  | { outcome: "duplicate"; id: number }
  | { outcome: "conflict"; id: number; storedBodySha256: string };

export const keyOf = (message: { api: string; messageId: string }) => `${message.api}\u0000${message.messageId}`;

/** The records the INSERT carries: the first of each (api, messageId); later copies in the same group are
 *  answered from it. */
export function firstOfEachKey<T extends Keyed>(records: T[]): T[] {
  const first = new Map<string, T>();
  for (const record of records) if (!first.has(keyOf(record))) first.set(keyOf(record), record);
  return [...first.values()];
}

/**
 * `inserted`: the ids the INSERT … ON CONFLICT DO NOTHING RETURNING gave back, by key; `found`: the rows already
 * stored under the keys it did not insert. The first record of a key that was inserted is stored; any other
 * record of a key is a duplicate when its body is the stored one byte for byte, else a conflict.
 */
export function classify(
  records: Keyed[],
  inserted: Map<string, number>,
  found: Map<string, { id: number; bodySha256: string }>,
): Classification[] {
  const firsts = new Map(firstOfEachKey(records).map((record) => [keyOf(record), record]));
  return records.map((record) => {
    const key = keyOf(record);
    const insertedId = inserted.get(key);
    const stored =
      insertedId !== undefined ? { id: insertedId, bodySha256: firsts.get(key)!.bodySha256 } : found.get(key);
    if (!stored) throw new Error(`message ${record.messageId} was neither inserted nor found`);
    if (insertedId !== undefined && firsts.get(key) === record) return { outcome: "stored", id: stored.id };
    if (stored.bodySha256 === record.bodySha256) return { outcome: "duplicate", id: stored.id };
    return { outcome: "conflict", id: stored.id, storedBodySha256: stored.bodySha256 };
  });
}
