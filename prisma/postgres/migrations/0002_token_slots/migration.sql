-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "activeSlot" TEXT,
ADD COLUMN     "pendingSlot" TEXT;

-- AlterTable
ALTER TABLE "TokenEvent" ADD COLUMN     "detail" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_activeSlot_key" ON "ApiToken"("activeSlot");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_pendingSlot_key" ON "ApiToken"("pendingSlot");

