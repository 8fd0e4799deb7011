-- DropIndex
DROP INDEX "Delivery_destinationId_status_nextAttemptAt_idx";

-- CreateIndex
CREATE INDEX "Delivery_destinationId_status_trigger_position_idx" ON "Delivery"("destinationId", "status", "trigger", "position");

-- CreateIndex
CREATE INDEX "Delivery_destinationId_leaseUntil_idx" ON "Delivery"("destinationId", "leaseUntil");
