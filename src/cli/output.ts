import type { Writable } from "node:stream";
import { stringifyExact } from "../douane/numbers";

export interface Output {
  json: boolean;
  stdout: Writable;
}

/** Rows as an aligned table for people, or as JSON for scripts (`--json`). */
export function printRows(output: Output, rows: Record<string, unknown>[], columns: string[]): void {
  if (output.json) {
    output.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    output.stdout.write("(none)\n");
    return;
  }
  const cells = rows.map((row) => columns.map((column) => cellOf(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i].length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  output.stdout.write(`${[line(columns), ...cells.map(line)].join("\n")}\n`);
}

/** A page of a keyset list: `{ items, nextCursor }` as the API answers it, or a table and how to go on. */
export function printPage(
  output: Output,
  page: { items: Record<string, unknown>[]; nextCursor: string | null },
  columns: string[],
): void {
  if (output.json) {
    output.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return;
  }
  printRows(output, page.items, columns);
  if (page.nextCursor) output.stdout.write(`\nmore: add --cursor ${page.nextCursor}\n`);
}

export function printRecord(output: Output, record: Record<string, unknown>): void {
  if (output.json) {
    output.stdout.write(`${stringifyExact(record, 2)}\n`); // a payload's numbers keep Douane's digits
    return;
  }
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  output.stdout.write(
    `${Object.entries(record)
      .map(([key, value]) => `${key.padEnd(width)}  ${cellOf(value)}`)
      .join("\n")}\n`,
  );
}

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return stringifyExact(value);
  return String(value);
}
