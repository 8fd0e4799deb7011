-- Additive only: ALTER TABLE ADD COLUMN, no table rebuild (Prisma's diff would rebuild QuarantinedBody).
ALTER TABLE "QuarantinedBody" ADD COLUMN "dismissedAt" DATETIME;
ALTER TABLE "QuarantinedBody" ADD COLUMN "dismissedBy" TEXT;
ALTER TABLE "QuarantinedBody" ADD COLUMN "dismissedReason" TEXT;
ALTER TABLE "QuarantinedBody" ADD COLUMN "seenCount" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "QuarantinedBody" ADD COLUMN "lastSeenAt" DATETIME;
ALTER TABLE "QuarantinedBody" ADD COLUMN "bodyBytes" INTEGER NOT NULL DEFAULT 0;
UPDATE "QuarantinedBody" SET "bodyBytes" = length("rawBody");

-- CreateIndex
CREATE INDEX "QuarantinedBody_bodySha256_idx" ON "QuarantinedBody"("bodySha256");

-- CreateIndex
CREATE INDEX "Message_api_channel_receivedAt_idx" ON "Message"("api", "channel", "receivedAt");
