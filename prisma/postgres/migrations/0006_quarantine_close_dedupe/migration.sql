-- AlterTable
ALTER TABLE "QuarantinedBody" ADD COLUMN     "bodyBytes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "dismissedAt" TIMESTAMP(3),
ADD COLUMN     "dismissedBy" TEXT,
ADD COLUMN     "dismissedReason" TEXT,
ADD COLUMN     "lastSeenAt" TIMESTAMP(3),
ADD COLUMN     "seenCount" INTEGER NOT NULL DEFAULT 1;
UPDATE "QuarantinedBody" SET "bodyBytes" = octet_length("rawBody");

-- CreateIndex
CREATE INDEX "Message_api_channel_receivedAt_idx" ON "Message"("api", "channel", "receivedAt");

-- CreateIndex
CREATE INDEX "QuarantinedBody_bodySha256_idx" ON "QuarantinedBody"("bodySha256");
