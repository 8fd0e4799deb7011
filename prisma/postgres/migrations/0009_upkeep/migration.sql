-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "simulated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "QuarantinedBody" ADD COLUMN     "simulated" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "UpkeepMark" (
    "task" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "detail" TEXT NOT NULL,

    CONSTRAINT "UpkeepMark_pkey" PRIMARY KEY ("task")
);

-- CreateTable
CREATE TABLE "ArchivePart" (
    "id" SERIAL NOT NULL,
    "day" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "messages" INTEGER NOT NULL,
    "firstId" INTEGER NOT NULL,
    "lastId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "verifiedAt" TIMESTAMP(3),

    CONSTRAINT "ArchivePart_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ArchivePart_day_part_key" ON "ArchivePart"("day", "part");


-- CreateIndex
CREATE INDEX "Message_simulated_id_idx" ON "Message"("simulated", "id");
