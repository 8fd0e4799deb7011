// (b) What a user would write instead of our service: express.json, the same zod schemas, and one
// prisma.message.create per request on SQLite (WAL, synchronous=FULL). A duplicate is caught as P2002.
import { createHash } from "node:crypto";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import express, { type RequestHandler } from "express";
import helmet from "helmet";
import type { z } from "zod";
import { errorH7, responseH7, responseRegistrationH7 } from "../../src/douane/h7/messages";
import { PrismaClient } from "../../src/generated/sqlite/client";

const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: process.env.DATABASE_URL! }) });

function store(channel: string, schema: z.ZodType<{ header: { messageId: string } }>): RequestHandler {
  return async (req, res) => {
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: "invalid_schema", issues: parsed.error.issues });
      return;
    }
    const messageId = parsed.data.header.messageId;
    const rawBody = Buffer.from(JSON.stringify(req.body));
    try {
      const row = await prisma.message.create({
        data: {
          api: "h7",
          channel,
          messageId,
          pathParams: JSON.stringify(req.params),
          rawBody,
          bodySha256: createHash("sha256").update(rawBody).digest("hex"),
          contentType: req.get("content-type") ?? "",
          headers: JSON.stringify(req.headers),
          receivedAt: new Date(),
          validation: "valid",
          findings: "[]",
        },
        select: { id: true },
      });
      res.json({ id: row.id, messageId, duplicate: false });
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
      const row = await prisma.message.findUniqueOrThrow({
        where: { api_messageId: { api: "h7", messageId } },
        select: { id: true },
      });
      res.json({ id: row.id, messageId, duplicate: true });
    }
  };
}

async function main() {
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$executeRawUnsafe("PRAGMA synchronous = FULL");
  await prisma.$executeRawUnsafe("PRAGMA busy_timeout = 5000");
  const app = express();
  app.disable("x-powered-by");
  app.get("/health/ready", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use(helmet());
  app.use(express.json({ limit: "5mb" }));
  app.post("/dh7/declarations/erreurs", store("declaration_error", errorH7));
  app.post("/dh7/declarations/:customsDeclarationReference/reponses", store("declaration_response", responseH7));
  app.post(
    "/dh7/demandes/:customsRequestReference/enregistrement",
    store("request_registration", responseRegistrationH7),
  );
  app.listen(Number(process.env.PORT), "127.0.0.1");
  process.once("SIGTERM", () => process.exit(0)); // a clean exit, so --cpu-prof can write its profile
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
