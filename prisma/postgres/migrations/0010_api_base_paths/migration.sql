-- CreateTable
CREATE TABLE "ApiBasePath" (
    "id" SERIAL NOT NULL,
    "account" TEXT NOT NULL DEFAULT 'default',
    "api" TEXT NOT NULL,
    "basePath" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "movedAt" TIMESTAMP(3),
    "retiredAt" TIMESTAMP(3),
    "lastCallAt" TIMESTAMP(3),
    "callCount" INTEGER NOT NULL DEFAULT 0,
    "currentSlot" TEXT,
    "previousSlot" TEXT,

    CONSTRAINT "ApiBasePath_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiBasePath_currentSlot_key" ON "ApiBasePath"("currentSlot");

-- CreateIndex
CREATE UNIQUE INDEX "ApiBasePath_previousSlot_key" ON "ApiBasePath"("previousSlot");

-- CreateIndex
CREATE INDEX "ApiBasePath_account_api_role_idx" ON "ApiBasePath"("account", "api", "role");

