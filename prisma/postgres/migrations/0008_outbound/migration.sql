-- CreateTable
CREATE TABLE "OutboundSubmission" (
    "id" SERIAL NOT NULL,
    "api" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "lrn" TEXT,
    "operatorRequestReference" TEXT,
    "requestBody" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "httpStatus" INTEGER,
    "answerBody" TEXT,
    "error" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "OutboundSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Expectation" (
    "id" SERIAL NOT NULL,
    "api" TEXT NOT NULL,
    "lrn" TEXT,
    "operatorRequestReference" TEXT,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "source" TEXT NOT NULL,
    "submissionId" INTEGER,
    "dedupeKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "closedByMessageId" INTEGER,
    "representedAt" TIMESTAMP(3),
    "representedBy" TEXT,
    "representedReason" TEXT,

    CONSTRAINT "Expectation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OutboundSubmission_lrn_id_idx" ON "OutboundSubmission"("lrn", "id");

-- CreateIndex
CREATE INDEX "OutboundSubmission_operatorRequestReference_id_idx" ON "OutboundSubmission"("operatorRequestReference", "id");

-- CreateIndex
CREATE INDEX "OutboundSubmission_status_id_idx" ON "OutboundSubmission"("status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Expectation_dedupeKey_key" ON "Expectation"("dedupeKey");

-- CreateIndex
CREATE INDEX "Expectation_closedAt_dueAt_idx" ON "Expectation"("closedAt", "dueAt");

-- CreateIndex
CREATE INDEX "Expectation_lrn_idx" ON "Expectation"("lrn");

-- CreateIndex
CREATE INDEX "Expectation_operatorRequestReference_idx" ON "Expectation"("operatorRequestReference");

