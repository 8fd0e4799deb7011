-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "lastRefusedAt" TIMESTAMP(3),
ADD COLUMN     "retiringSince" TIMESTAMP(3);

