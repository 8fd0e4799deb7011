import fs from "node:fs";
import path from "node:path";
import type { Db } from "../db/client";
import { bodyOf } from "../messages/stored-body";
import {
  ARCHIVE_FORMAT,
  type ArchivedMessage,
  partFileOf,
  sha256OfFile,
  verifyArchive,
  writeGzipLines,
  writeManifest,
} from "./archive-file";
import { dayOf, lastArchivableDay, nextDay, startOf } from "./days";
import { markDone } from "./marks";

const PAGE = 200;

export interface ArchiveRun {
  /** Every day up to this one is in the archive. */
  throughDay: string;
  parts: { day: string; part: number; file: string; messages: number }[];
}

/**
 * Writes each finished UTC day's messages not yet archived into a new part of that day (the first part
 * holds the day; a later one, messages stored since, e.g. an accepted quarantine body or an import), reads
 * it back to verify it, and only then records it. A purge trusts only recorded, verified parts.
 */
export async function archiveMessages(db: Db, dir: string, now: Date): Promise<ArchiveRun> {
  const throughDay = lastArchivableDay(now);
  const parts: ArchiveRun["parts"] = [];
  // What is not archived yet came after the last archived row (a late arrival too gets a new id): a range of the
  // primary key, not a walk over every day ever stored.
  const archived = await db.archivePart.aggregate({ _max: { lastId: true } });
  const pending = await db.message.aggregate({
    _min: { receivedAt: true },
    where: { id: { gt: archived._max.lastId ?? 0 } },
  });
  const oldest = pending._min.receivedAt;
  for (let day = oldest ? dayOf(oldest) : nextDay(throughDay); day <= throughDay; day = nextDay(day)) {
    const written = await archiveDay(db, dir, day, now);
    if (written) parts.push(written);
  }
  await markDone(db, "archive", now, {
    throughDay,
    parts: parts.length,
    messages: parts.reduce((sum, part) => sum + part.messages, 0),
  });
  return { throughDay, parts };
}

async function archiveDay(db: Db, dir: string, day: string, now: Date): Promise<ArchiveRun["parts"][number] | null> {
  const earlier = await db.archivePart.findMany({ where: { day }, select: { part: true, lastId: true } });
  const afterId = Math.max(0, ...earlier.map((part) => part.lastId));
  const where = { receivedAt: { gte: startOf(day), lt: startOf(nextDay(day)) }, id: { gt: afterId } };
  const first = await db.message.findFirst({ where, orderBy: { id: "asc" }, select: { id: true } });
  if (!first) return null;
  const part = Math.max(0, ...earlier.map((row) => row.part)) + 1;
  const file = partFileOf(day, part);
  const absolute = path.join(dir, file);
  const tally = { messages: 0, firstId: first.id, lastId: first.id, byApi: {} as Record<string, number> };
  await writeGzipLines(`${absolute}.tmp`, linesOf(db, where, tally));
  const expected = {
    sha256: sha256OfFile(`${absolute}.tmp`),
    messages: tally.messages,
    firstId: tally.firstId,
    lastId: tally.lastId,
  };
  await verifyArchive(`${absolute}.tmp`, expected);
  fs.renameSync(`${absolute}.tmp`, absolute);
  writeManifest(absolute, {
    format: ARCHIVE_FORMAT,
    day,
    part,
    file: path.basename(file),
    byApi: tally.byApi,
    createdAt: now.toISOString(),
    ...expected,
  });
  await db.archivePart.create({ data: { day, part, file, ...pick(expected), createdAt: now, verifiedAt: now } });
  return { day, part, file, messages: tally.messages };
}

const pick = ({
  sha256,
  messages,
  firstId,
  lastId,
}: {
  sha256: string;
  messages: number;
  firstId: number;
  lastId: number;
}) => ({ sha256, messages, firstId, lastId });

type MessageWhere = NonNullable<Parameters<Db["message"]["findMany"]>[0]>["where"];

async function* linesOf(
  db: Db,
  where: MessageWhere,
  tally: { messages: number; lastId: number; byApi: Record<string, number> },
): AsyncGenerator<string> {
  let afterId = 0;
  for (;;) {
    const rows = await db.message.findMany({
      where: { AND: [where ?? {}, { id: { gt: afterId } }] },
      orderBy: { id: "asc" },
      take: PAGE,
    });
    for (const row of rows) {
      tally.messages++;
      tally.lastId = row.id;
      tally.byApi[row.api] = (tally.byApi[row.api] ?? 0) + 1;
      yield JSON.stringify(archivedOf(row));
    }
    if (rows.length < PAGE) return;
    afterId = rows[rows.length - 1].id;
  }
}

type MessageRow = Awaited<ReturnType<Db["message"]["findMany"]>>[number];

function archivedOf(row: MessageRow): ArchivedMessage {
  const { rawBody, rawBodyCompression, pathParams, headers, findings, receivedAt, messageDateTime, ...columns } = row;
  return {
    ...columns,
    pathParams: JSON.parse(pathParams) as Record<string, string>,
    rawBodyBase64: bodyOf({ rawBody, rawBodyCompression }).toString("base64"),
    headers: JSON.parse(headers) as Record<string, unknown>,
    findings: JSON.parse(findings) as unknown[],
    receivedAt: receivedAt.toISOString(),
    messageDateTime: messageDateTime?.toISOString() ?? null,
  };
}
