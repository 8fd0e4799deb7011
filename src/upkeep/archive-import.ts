import type { Db } from "../db/client";
import { storedColumnsOf } from "../messages/stored-body";
import { type ArchivedMessage, readArchive, readManifest, verifyArchive } from "./archive-file";

export interface ImportReport {
  file: string;
  messages: number;
  imported: number;
  alreadyPresent: number;
  /** Same (api, messageId), another body: the stored message is left as it is. */
  conflicts: { api: string; messageId: string }[];
}

/** Restores an archive file's messages into a database, after checking it against its manifest. Idempotent
 *  by (api, messageId): a message already stored is left alone, so an import can be repeated or resumed. */
export async function importArchive(db: Db, file: string): Promise<ImportReport> {
  await verifyArchive(file, readManifest(file));
  const report: ImportReport = { file, messages: 0, imported: 0, alreadyPresent: 0, conflicts: [] };
  for await (const message of readArchive(file)) {
    report.messages++;
    const outcome = await importOne(db, message);
    if (outcome === "imported") report.imported++;
    else if (outcome === "present") report.alreadyPresent++;
    else report.conflicts.push({ api: message.api, messageId: message.messageId });
  }
  return report;
}

async function importOne(db: Db, message: ArchivedMessage): Promise<"imported" | "present" | "conflict"> {
  const {
    id: _archivedId,
    rawBodyBase64,
    pathParams,
    headers,
    findings,
    receivedAt,
    messageDateTime,
    ...columns
  } = message;
  try {
    await db.message.create({
      data: {
        ...columns,
        ...storedColumnsOf(Buffer.from(rawBodyBase64, "base64")),
        pathParams: JSON.stringify(pathParams),
        headers: JSON.stringify(headers),
        findings: JSON.stringify(findings),
        receivedAt: new Date(receivedAt),
        messageDateTime: messageDateTime === null ? null : new Date(messageDateTime),
      },
    });
    return "imported";
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error;
    const stored = await db.message.findUnique({
      where: { api_messageId: { api: message.api, messageId: message.messageId } },
      select: { bodySha256: true },
    });
    return stored?.bodySha256 === message.bodySha256 ? "present" : "conflict";
  }
}
