import { z } from "zod";

/** Keyset paging, newest first. The cursor is the last id of a page: ids come from one autoincrement, a strict
 *  total order, so `id < cursor` resumes exactly where the page ended however many rows arrived since. */
export type CursorKind = "message" | "quarantine" | "delivery" | "expectation" | "tokenEvent";

const PREFIX: Record<CursorKind, string> = {
  message: "m",
  quarantine: "q",
  delivery: "d",
  expectation: "e",
  tokenEvent: "t",
};

function encodeCursor(kind: CursorKind, lastId: number): string {
  return Buffer.from(`${PREFIX[kind]}${lastId}`, "utf8").toString("base64url");
}

/** The `cursor` query parameter: opaque to callers, a 400 naming `cursor` when it is not one of ours. */
export function cursorParameter(kind: CursorKind) {
  return z
    .string()
    .transform((cursor, ctx) => {
      const match = /^([a-z])([1-9][0-9]{0,14})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
      if (!match || match[1] !== PREFIX[kind] || encodeCursor(kind, Number(match[2])) !== cursor) {
        ctx.addIssue({
          code: "custom",
          message: "not a cursor of this list: pass nextCursor from the previous page unchanged",
        });
        return z.NEVER;
      }
      return Number(match[2]);
    })
    .optional()
    .describe("nextCursor of the previous page; absent for the first page");
}

export const limitParameter = z.coerce.number().int().min(1).max(500).default(50).describe("page size, 1 to 500");

/** ISO 8601 instant with a zone (`Z` or an offset), as a Date. */
export const instantWithZone = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

export const instantParameter = instantWithZone.optional();

/** A query schema that refuses unknown parameters by name: a mistyped filter (`lnr=`) must not silently
 *  answer with every message. */
export function queryParameters<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.looseObject(shape).superRefine((query, ctx) => {
    for (const name of Object.keys(query)) {
      if (!Object.hasOwn(shape, name))
        ctx.addIssue({ code: "custom", path: [name], message: "unknown query parameter" });
    }
  });
}

/** `take: limit + 1` tells whether a next page exists without a count. */
export function pageOf<Row extends { id: number }>(rows: Row[], limit: number, kind: CursorKind) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(kind, items[items.length - 1].id) : null };
}
