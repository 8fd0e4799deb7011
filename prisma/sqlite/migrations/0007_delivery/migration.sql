-- CreateTable
CREATE TABLE "Destination" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "filter" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "secret" TEXT NOT NULL,
    "previousSecret" TEXT,
    "previousSecretExpiresAt" DATETIME,
    "failingSince" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "destinationId" INTEGER NOT NULL,
    "messageRowId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "orderKey" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "leaseUntil" DATETIME,
    "leaseOwner" TEXT,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL,
    "completedAt" DATETIME
);

-- CreateTable
CREATE TABLE "DeliveryAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "deliveryId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "response" TEXT
);

-- CreateTable
CREATE TABLE "FeedEntry" (
    "position" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "messageRowId" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "FeedCounter" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "position" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "Delivery_destinationId_status_nextAttemptAt_idx" ON "Delivery"("destinationId", "status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Delivery_destinationId_orderKey_status_position_idx" ON "Delivery"("destinationId", "orderKey", "status", "position");

-- CreateIndex
CREATE INDEX "Delivery_destinationId_id_idx" ON "Delivery"("destinationId", "id");

-- CreateIndex
CREATE INDEX "Delivery_messageRowId_idx" ON "Delivery"("messageRowId");

-- CreateIndex
CREATE INDEX "Delivery_status_createdAt_idx" ON "Delivery"("status", "createdAt");

-- CreateIndex
CREATE INDEX "DeliveryAttempt_deliveryId_id_idx" ON "DeliveryAttempt"("deliveryId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "FeedEntry_messageRowId_key" ON "FeedEntry"("messageRowId");


-- Messages stored before this migration take the first feed positions, in id order (their commit order is
-- no longer known), and the counter starts after them.
INSERT INTO "FeedEntry" ("position", "messageRowId") SELECT ROW_NUMBER() OVER (ORDER BY "id"), "id" FROM "Message";
INSERT INTO "FeedCounter" ("id", "position") SELECT 1, COUNT(*) FROM "Message";
