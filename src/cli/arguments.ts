import type { z } from "zod";

/** `--customsDeclarationReference` is spelt `--customs-declaration-reference` on the command line. */
export const optionFlag = (name: string) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/** Validates options with the same zod schema as the API's query, naming a bad one as it was typed. */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  options: Record<string, unknown>,
): z.output<Schema> {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${optionFlag(String(issue.path[0] ?? "?"))}: ${issue.message}`);
  throw new Error(`invalid options:\n${lines.join("\n")}`);
}

/** A row id given as an argument. */
export function idArgument(value: string, what: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(value)) throw new Error(`not a ${what} id: ${value}`);
  return Number(value);
}
