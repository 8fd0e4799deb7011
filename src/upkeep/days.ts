/** UTC days, as archives and retention count them. */
export const DAY_MS = 24 * 60 * 60_000;
export const dayOf = (date: Date) => date.toISOString().slice(0, 10);
export const startOf = (day: string) => new Date(`${day}T00:00:00.000Z`);
export const nextDay = (day: string) => dayOf(new Date(startOf(day).getTime() + DAY_MS));

/** A day is archived once it has been over for an hour: a callback received at 23:59:59 may still be
 *  committing just after midnight (PostgreSQL hands out ids before commit, not in commit order). */
const ARCHIVE_GRACE_MS = 60 * 60_000;
export const lastArchivableDay = (now: Date) => dayOf(new Date(now.getTime() - ARCHIVE_GRACE_MS - DAY_MS));
