/** An answer we chose to give: its status and stable `error` code travel together. Made only by the catalog's
 *  named constructors (this folder), so a code always answers with the same status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** One catalog entry: a stable `error` code, its HTTP status, and the message given when nothing more is known. */
export interface ErrorEntry {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/** One area's entries, keyed by their code. */
export function entriesOf<Code extends string>(
  entries: Record<Code, readonly [status: number, message: string]>,
): Record<Code, ErrorEntry> {
  const keyed = {} as Record<Code, ErrorEntry>;
  for (const code of Object.keys(entries) as Code[]) {
    const [status, message] = entries[code];
    keyed[code] = { code, status, message };
  }
  return keyed;
}

/** What a named constructor says beyond its entry: the message with the particulars, and answer fields or headers. */
interface Particulars {
  message?: string;
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export function answer(entry: ErrorEntry, particulars: Particulars = {}): HttpError {
  return new HttpError(
    entry.status,
    entry.code,
    particulars.message ?? entry.message,
    particulars.extra,
    particulars.headers,
  );
}
