-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN "lastRefusedAt" DATETIME;
ALTER TABLE "ApiToken" ADD COLUMN "retiringSince" DATETIME;

