/** H7 messages with chosen keys, and rows to seed in bulk, for the internal API's tests. */
import { createHash } from "node:crypto";
import type { Db } from "../../src/db/client";
import { errorH7Example, registrationH7Example, responseH7Example, withMessageId } from "../support/examples";

interface Keys {
  lrn?: string;
  mrn?: string;
  customsDeclarationReference?: string;
  operatorRequestReference?: string;
  messageDateTime?: string;
}

export function errorMessage(keys: Keys = {}) {
  const message = withMessageId(errorH7Example);
  return {
    ...message,
    header: { ...message.header, messageDateTime: keys.messageDateTime ?? message.header.messageDateTime },
    declaration: {
      lrn: keys.lrn ?? "LRN-E",
      customsDeclarationReference: keys.customsDeclarationReference ?? "CDR-E",
      mrn: keys.mrn ?? "21FR0000000000E0E0",
    },
    request: { operatorRequestReference: keys.operatorRequestReference ?? "OP-E" },
  };
}

export function responseMessage(keys: Keys & { state?: string } = {}) {
  const message = withMessageId(responseH7Example);
  return {
    ...message,
    header: {
      ...message.header,
      messageDateTime: keys.messageDateTime ?? message.header.messageDateTime,
      lrn: keys.lrn ?? "LRN-R",
      customsDeclarationReference: keys.customsDeclarationReference ?? "CDR-R",
      mrn: keys.mrn ?? "21FR0000000000R0R0",
    },
    declarationState: { ...message.declarationState, state: keys.state ?? "ACC" },
  };
}

export function registrationMessage(keys: Keys & { customsRequestReference: string }) {
  const message = withMessageId(registrationH7Example);
  return {
    ...message,
    header: {
      ...message.header,
      messageDateTime: keys.messageDateTime ?? message.header.messageDateTime,
      operatorRequestReference: keys.operatorRequestReference ?? "OP-G",
    },
    request: { ...message.request, customsRequestReference: keys.customsRequestReference },
    declarations: [
      {
        lrn: keys.lrn ?? "LRN-G",
        customsDeclarationReference: keys.customsDeclarationReference ?? "CDR-G",
        mrn: keys.mrn ?? "21FR0000000000G0G0",
      },
    ],
  };
}

/** Inserts `count` plain rows straight into the table, in chunks, each with the declaration its lrn, mrn and
 *  customsDeclarationReference name (as the writer stores it): only to build volume quickly. */
export async function seedRows(
  db: Db,
  count: number,
  row: (i: number) => Partial<SeedRow> = () => ({}),
): Promise<void> {
  const body = Buffer.from("{}");
  const sha = createHash("sha256").update(body).digest("hex");
  for (let start = 0; start < count; start += 500) {
    const data = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      data.push({
        api: "h7",
        channel: "declaration_error",
        messageId: `seed-${process.pid}-${Date.now()}-${i}`,
        pathParams: "{}",
        rawBody: body as Uint8Array<ArrayBuffer>,
        bodySha256: sha,
        contentType: "application/json",
        headers: "{}",
        receivedAt: new Date(Date.UTC(2020, 0, 1) + i * 1000),
        validation: "valid",
        findings: "[]",
        ...row(i),
      });
    }
    const rows = await db.message.createManyAndReturn({
      data,
      select: { id: true, lrn: true, mrn: true, customsDeclarationReference: true },
    });
    const declarations = rows.filter((row) => row.lrn || row.mrn || row.customsDeclarationReference);
    await db.messageDeclaration.createMany({
      data: declarations.map(({ id, lrn, mrn, customsDeclarationReference }) => ({
        messageRowId: id,
        position: 0,
        lrn,
        mrn,
        customsDeclarationReference,
      })),
    });
  }
}

/** A supertest parser that keeps the answer's bytes as they came: `.buffer(true).parse(asBytes)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function asBytes(response: any, done: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  response.on("data", (chunk: Buffer) => chunks.push(chunk));
  response.on("end", () => done(null, Buffer.concat(chunks)));
}

type SeedRow = Parameters<Db["message"]["create"]>[0]["data"];
