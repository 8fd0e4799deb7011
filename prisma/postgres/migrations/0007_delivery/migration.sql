-- CreateTable
CREATE TABLE "Destination" (
    "id" SERIAL NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "filter" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "secret" TEXT NOT NULL,
    "previousSecret" TEXT,
    "previousSecretExpiresAt" TIMESTAMP(3),
    "failingSince" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Destination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" SERIAL NOT NULL,
    "destinationId" INTEGER NOT NULL,
    "messageRowId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "orderKey" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "leaseUntil" TIMESTAMP(3),
    "leaseOwner" TEXT,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryAttempt" (
    "id" SERIAL NOT NULL,
    "deliveryId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "response" TEXT,

    CONSTRAINT "DeliveryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FeedEntry" (
    "position" INTEGER NOT NULL,
    "messageRowId" INTEGER NOT NULL,

    CONSTRAINT "FeedEntry_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "FeedCounter" (
    "id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "FeedCounter_pkey" PRIMARY KEY ("id")
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
