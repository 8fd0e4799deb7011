import { randomBytes } from "node:crypto";
import { bodyOf, COMPRESSED_FROM_BYTES, storedBodyOf } from "../../src/messages/stored-body";

describe("a body as stored", () => {
  test("under 64 KiB is the body itself", () => {
    const body = Buffer.from("x".repeat(COMPRESSED_FROM_BYTES - 1));
    const stored = storedBodyOf(body);
    expect(stored).toEqual({ rawBody: body, rawBodyCompression: null });
    expect(bodyOf(stored).equals(body)).toBe(true);
  });

  test("of 64 KiB and more is compressed with Brotli, and reads back byte for byte", () => {
    const body = Buffer.from(`{"error":[${Array.from({ length: 3000 }, (_, i) => `{"errorPointer":"item[${i}]"}`)}]}`);
    expect(body.length).toBeGreaterThanOrEqual(COMPRESSED_FROM_BYTES);
    const stored = storedBodyOf(body);
    expect(stored.rawBodyCompression).toBe("br");
    expect(stored.rawBody.length).toBeLessThan(body.length / 10);
    expect(bodyOf({ rawBody: new Uint8Array(stored.rawBody), rawBodyCompression: "br" }).equals(body)).toBe(true);
  });

  test("that does not compress is kept as it came", () => {
    const body = randomBytes(COMPRESSED_FROM_BYTES * 2);
    expect(storedBodyOf(body)).toEqual({ rawBody: body, rawBodyCompression: null });
  });

  test("under a compression it does not know is refused, never returned as if it were the body", () => {
    expect(() => bodyOf({ rawBody: Buffer.from("x"), rawBodyCompression: "zstd" })).toThrow(
      /unknown body compression zstd/,
    );
  });
});
