-- CreateTable
CREATE TABLE "UpkeepMark" (
    "task" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "detail" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ArchivePart" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "day" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "messages" INTEGER NOT NULL,
    "firstId" INTEGER NOT NULL,
    "lastId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "verifiedAt" DATETIME
);

-- AlterTable (by hand: ADD COLUMN with a constant default instead of Prisma's table rebuild)
ALTER TABLE "Message" ADD COLUMN "simulated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "QuarantinedBody" ADD COLUMN "simulated" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE UNIQUE INDEX "ArchivePart_day_part_key" ON "ArchivePart"("day", "part");


-- CreateIndex
CREATE INDEX "Message_simulated_id_idx" ON "Message"("simulated", "id");
