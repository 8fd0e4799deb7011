-- Bodies of 64 KiB and more are stored compressed with Brotli (src/messages/stored-body.ts); the rows stored before
-- keep their bodies as they came (NULL).
ALTER TABLE "Message" ADD COLUMN "rawBodyCompression" TEXT;
