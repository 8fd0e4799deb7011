import { createHash } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import zlib from "node:zlib";
import { z } from "zod";
import { bodySha256Of } from "../messages/body-hash";
import { syncFile } from "./backup";

/** One message as archived: every column, the raw body in base64, the JSON columns as JSON. */
const archivedMessage = z.object({
  id: z.number().int(),
  api: z.string(),
  channel: z.string(),
  messageId: z.string(),
  pathParams: z.record(z.string(), z.string()),
  rawBodyBase64: z.string(),
  bodySha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string(),
  headers: z.record(z.string(), z.unknown()),
  receivedAt: z.iso.datetime(),
  tokenId: z.number().int().nullable(),
  validation: z.string(),
  findings: z.array(z.unknown()),
  lrn: z.string().nullable(),
  mrn: z.string().nullable(),
  customsDeclarationReference: z.string().nullable(),
  customsRequestReference: z.string().nullable(),
  operatorRequestReference: z.string().nullable(),
  state: z.string().nullable(),
  messageDateTime: z.iso.datetime().nullable(),
  messageDateTimeRaw: z.string().nullable(),
  acceptedBy: z.string().nullable(),
  acceptedReason: z.string().nullable(),
  quarantineId: z.number().int().nullable(),
  simulated: z.boolean(),
});
export type ArchivedMessage = z.infer<typeof archivedMessage>;

export const ARCHIVE_FORMAT = "douane-callback-receiver.archive/1";

const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  part: z.number().int().min(1),
  file: z.string(),
  messages: z.number().int().min(0),
  byApi: z.record(z.string(), z.number().int()),
  firstId: z.number().int(),
  lastId: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export class ArchiveDamaged extends Error {}

/** `2026/11/messages-2026-11-25-part1.ndjson.gz`, relative to ARCHIVE_DIR. */
export const partFileOf = (day: string, part: number) =>
  path.join(day.slice(0, 4), day.slice(5, 7), `messages-${day}-part${part}.ndjson.gz`);
const manifestFileOf = (file: string) => file.replace(/\.ndjson\.gz$/, ".manifest.json");

/** Writes lines to a gzip file through a temporary name; returns once the file is on disk. */
export async function writeGzipLines(file: string, lines: AsyncIterable<string>): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const gzip = zlib.createGzip();
  const out = fs.createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve).on("error", reject);
    gzip.on("error", reject);
  });
  gzip.pipe(out);
  for await (const line of lines) if (!gzip.write(`${line}\n`)) await once(gzip, "drain");
  gzip.end();
  await done;
  syncFile(file);
}

/** Writes a manifest beside its archive file, atomically. */
export function writeManifest(file: string, manifest: Manifest): void {
  const target = manifestFileOf(file);
  fs.writeFileSync(`${target}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  syncFile(`${target}.tmp`);
  fs.renameSync(`${target}.tmp`, target);
}

export function readManifest(file: string): Manifest {
  const target = manifestFileOf(file);
  if (!fs.existsSync(target)) throw new ArchiveDamaged(`${target} is missing`);
  const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(target, "utf8")));
  if (!parsed.success) throw new ArchiveDamaged(`${target} is not a manifest: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

export function sha256OfFile(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Every message of an archive file, each body checked against its SHA-256. */
export async function* readArchive(file: string): AsyncGenerator<ArchivedMessage> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file).pipe(zlib.createGunzip()),
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === "") continue;
    const parsed = archivedMessage.safeParse(JSON.parse(line));
    if (!parsed.success)
      throw new ArchiveDamaged(
        `${file} line ${n}: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
      );
    const body = Buffer.from(parsed.data.rawBodyBase64, "base64");
    if (bodySha256Of(body) !== parsed.data.bodySha256)
      throw new ArchiveDamaged(`${file} line ${n}: the body does not match its SHA-256`);
    yield parsed.data;
  }
}

/**
 * Checks an archive file against what is expected of it (its manifest, or the database's record of it): the
 * file's SHA-256, the count, the ids, every body's SHA-256. Returns each message's id and body SHA-256.
 */
export async function verifyArchive(
  file: string,
  expected: Pick<Manifest, "sha256" | "messages" | "firstId" | "lastId">,
): Promise<Map<number, string>> {
  if (!fs.existsSync(file)) throw new ArchiveDamaged(`${file} is missing`);
  if (sha256OfFile(file) !== expected.sha256) throw new ArchiveDamaged(`${file} does not match its SHA-256`);
  const bodies = new Map<number, string>();
  try {
    for await (const message of readArchive(file)) bodies.set(message.id, message.bodySha256);
  } catch (error) {
    throw error instanceof ArchiveDamaged
      ? error
      : new ArchiveDamaged(`${file} cannot be read: ${(error as Error).message}`);
  }
  const ids = [...bodies.keys()];
  if (bodies.size !== expected.messages)
    throw new ArchiveDamaged(`${file} holds ${bodies.size} messages, ${expected.messages} expected`);
  if (ids.some((id) => id < expected.firstId || id > expected.lastId))
    throw new ArchiveDamaged(`${file} holds ids outside ${expected.firstId}..${expected.lastId}`);
  return bodies;
}
