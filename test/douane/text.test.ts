import fc from "fast-check";
import { atMostCodePoints, firstCodePoints } from "../../src/douane/text";

// The spec counts characters as JSON Schema does: code points, so a surrogate pair is one.
const codePoints = (text: string) => Array.from(text).length;

describe("character counts", () => {
  test("a string is within a maximum exactly when its code points are, whatever its mix of pairs and lone halves", () => {
    const anyText = fc.string({
      unit: fc.oneof(fc.constantFrom("a", "é", "\u{1F600}", "\uD800", "\uDC00"), fc.string({ unit: "binary" })),
    });
    fc.assert(
      fc.property(anyText, fc.nat(40), (text, max) => {
        expect(atMostCodePoints(text, max)).toBe(codePoints(text) <= max);
      }),
      { numRuns: 2000 },
    );
  });

  test("two emoji are two characters and four UTF-16 units: within a maximum of 2, not of 1", () => {
    expect(atMostCodePoints("\u{1F1EB}\u{1F1F7}", 2)).toBe(true);
    expect(atMostCodePoints("\u{1F1EB}\u{1F1F7}", 1)).toBe(false);
    expect(atMostCodePoints("", 0)).toBe(true);
  });

  test("firstCodePoints keeps whole surrogate pairs and at most the maximum of characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.nat(20), (text, max) => {
        const kept = firstCodePoints(text, max);
        expect(text.startsWith(kept)).toBe(true);
        expect(codePoints(kept)).toBe(Math.min(max, codePoints(text)));
      }),
    );
  });
});
