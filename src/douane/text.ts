/** Lengths are counted in characters (Unicode code points), as JSON Schema counts them and as the spec means
 *  them (H7-CALLBACKS.md §6), never in UTF-16 units: "🇫🇷" is 2 characters, not 4. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** The first `max` characters of `text`, never half of a surrogate pair. */
export function firstCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  let count = 0;
  for (const char of text) {
    if (count++ === max) break;
    end += char.length;
  }
  return text.slice(0, end);
}
