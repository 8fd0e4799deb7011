import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";
import { asBuffer } from "../db/driver";

/** How Message.rawBody holds a body: null, the bytes as they came; "br", those bytes compressed with Brotli. */
export type RawBodyCompression = "br" | null;

/** From this size a body is stored compressed. Douane's usual callbacks (0.5–1 KB) are stored as they came; a large
 *  Error_H7 (999 errors, 620 KB) is repetitive JSON that Brotli at quality 1 shrinks about 140 times in 0.4 ms,
 *  instead of 152 pages written to SQLite's WAL and copied again at checkpoint, or sent to PostgreSQL. */
export const COMPRESSED_FROM_BYTES = 64 * 1024;

/** What a message's row holds for its body. */
export type StoredBody = { rawBody: Buffer; rawBodyCompression: RawBodyCompression };

/** The bytes to store for a body, and how to read them back. */
export function storedBodyOf(body: Buffer): StoredBody {
  if (body.length < COMPRESSED_FROM_BYTES) return { rawBody: body, rawBodyCompression: null };
  const compressed = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  // Bytes that do not compress (never seen from Douane) are kept as they came.
  if (compressed.length >= body.length) return { rawBody: body, rawBodyCompression: null };
  return { rawBody: compressed, rawBodyCompression: "br" };
}

/** The same, typed as a Prisma create takes a Bytes column: for the writes made through Prisma (a body accepted from
 *  quarantine, a message imported from an archive), so that every stored body follows the one rule. */
export const storedColumnsOf = (body: Buffer) =>
  storedBodyOf(body) as { rawBody: Uint8Array<ArrayBuffer>; rawBodyCompression: RawBodyCompression };

/** The body exactly as it came, from a stored row. */
export function bodyOf(row: { rawBody: Uint8Array; rawBodyCompression: string | null }): Buffer {
  const stored = asBuffer(row.rawBody) as Buffer;
  if (row.rawBodyCompression === null) return stored;
  if (row.rawBodyCompression === "br") return brotliDecompressSync(stored);
  throw new Error(`unknown body compression ${row.rawBodyCompression}`);
}
