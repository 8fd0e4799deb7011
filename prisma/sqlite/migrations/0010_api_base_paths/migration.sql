-- CreateTable
CREATE TABLE "ApiBasePath" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account" TEXT NOT NULL DEFAULT 'default',
    "api" TEXT NOT NULL,
    "basePath" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "movedAt" DATETIME,
    "retiredAt" DATETIME,
    "lastCallAt" DATETIME,
    "callCount" INTEGER NOT NULL DEFAULT 0,
    "currentSlot" TEXT,
    "previousSlot" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiBasePath_currentSlot_key" ON "ApiBasePath"("currentSlot");

-- CreateIndex
CREATE UNIQUE INDEX "ApiBasePath_previousSlot_key" ON "ApiBasePath"("previousSlot");

-- CreateIndex
CREATE INDEX "ApiBasePath_account_api_role_idx" ON "ApiBasePath"("account", "api", "role");

