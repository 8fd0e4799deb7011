-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Message" (
    "id" SERIAL NOT NULL,
    "api" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "pathParams" TEXT NOT NULL,
    "rawBody" BYTEA NOT NULL,
    "bodySha256" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "headers" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "tokenId" INTEGER,
    "validation" TEXT NOT NULL,
    "findings" TEXT NOT NULL,
    "lrn" TEXT,
    "mrn" TEXT,
    "customsDeclarationReference" TEXT,
    "customsRequestReference" TEXT,
    "operatorRequestReference" TEXT,
    "state" TEXT,
    "messageDateTime" TIMESTAMP(3),
    "messageDateTimeRaw" TEXT,
    "acceptedBy" TEXT,
    "acceptedReason" TEXT,
    "quarantineId" INTEGER,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QuarantinedBody" (
    "id" SERIAL NOT NULL,
    "api" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "pathParams" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "messageId" TEXT,
    "rawBody" BYTEA NOT NULL,
    "bodySha256" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "headers" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "tokenId" INTEGER,
    "acceptedAt" TIMESTAMP(3),
    "acceptedBy" TEXT,
    "messageRowId" INTEGER,

    CONSTRAINT "QuarantinedBody_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" SERIAL NOT NULL,
    "api" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "activatedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "useCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TokenEvent" (
    "id" SERIAL NOT NULL,
    "api" TEXT NOT NULL,
    "tokenId" INTEGER,
    "event" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TokenEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Message_api_id_idx" ON "Message"("api", "id");

-- CreateIndex
CREATE INDEX "Message_channel_id_idx" ON "Message"("channel", "id");

-- CreateIndex
CREATE INDEX "Message_lrn_id_idx" ON "Message"("lrn", "id");

-- CreateIndex
CREATE INDEX "Message_mrn_id_idx" ON "Message"("mrn", "id");

-- CreateIndex
CREATE INDEX "Message_customsDeclarationReference_id_idx" ON "Message"("customsDeclarationReference", "id");

-- CreateIndex
CREATE INDEX "Message_customsRequestReference_id_idx" ON "Message"("customsRequestReference", "id");

-- CreateIndex
CREATE INDEX "Message_operatorRequestReference_id_idx" ON "Message"("operatorRequestReference", "id");

-- CreateIndex
CREATE INDEX "Message_state_id_idx" ON "Message"("state", "id");

-- CreateIndex
CREATE INDEX "Message_validation_id_idx" ON "Message"("validation", "id");

-- CreateIndex
CREATE INDEX "Message_tokenId_id_idx" ON "Message"("tokenId", "id");

-- CreateIndex
CREATE INDEX "Message_receivedAt_id_idx" ON "Message"("receivedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Message_api_messageId_key" ON "Message"("api", "messageId");

-- CreateIndex
CREATE INDEX "QuarantinedBody_reason_id_idx" ON "QuarantinedBody"("reason", "id");

-- CreateIndex
CREATE INDEX "QuarantinedBody_api_messageId_idx" ON "QuarantinedBody"("api", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_api_status_idx" ON "ApiToken"("api", "status");

-- CreateIndex
CREATE INDEX "TokenEvent_api_id_idx" ON "TokenEvent"("api", "id");

