/** Lengths are counted in characters (Unicode code points), as JSON Schema counts them and as the spec means
 *  them (H7-CALLBACKS.md §6), never in UTF-16 units: "🇫🇷" is 2 characters, not 4. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Whether `text` has at most `max` characters. A string is never longer in code points than in UTF-16 units, so
 *  one within `max` units is not counted at all: the 999 entries of a large Error_H7 took 3 ms to count. */
export function atMostCodePoints(text: string, max: number): boolean {
  if (text.length <= max) return true;
  // Each code point is one or two units, so a string over 2 × max units has more than max code points.
  if (text.length > 2 * max) return false;
  return codePointLength(text) <= max;
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
