-- CreateTable
CREATE TABLE "MessageDeclaration" (
    "messageRowId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "lrn" TEXT,
    "customsDeclarationReference" TEXT,
    "mrn" TEXT,

    CONSTRAINT "MessageDeclaration_pkey" PRIMARY KEY ("messageRowId","position")
);

-- Back-fill: every declaration the stored messages name, read from their bodies where each channel publishes
-- them (src/douane/h7/channels.ts, H7-CALLBACKS.md §6): Response_H7 header.*, with the path parameter
-- customsDeclarationReference when the header has none, Error_H7 declaration.*, Response_Registration_H7 every
-- declarations[] entry, the unknown channel its keys as already extracted, then every declarations[] entry.
-- A key is a non-empty string, cut at 350 characters. A body jsonb cannot hold (not JSON, or with U+0000)
-- names no declaration. The helpers live in pg_temp: they end with this session.
-- (Bodies in single quotes: Prisma splits a migration into statements without knowing dollar quotes.)
CREATE FUNCTION pg_temp."receiverJson"(text TEXT) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS '
BEGIN
    RETURN text::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END';

CREATE FUNCTION pg_temp."receiverBody"(bytes BYTEA) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS '
BEGIN
    RETURN ltrim(convert_from(bytes, ''UTF8''), U&''\FEFF'')::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END';

CREATE FUNCTION pg_temp."receiverKey"(value JSONB) RETURNS TEXT LANGUAGE sql IMMUTABLE AS '
    SELECT CASE WHEN jsonb_typeof(value) = ''string'' AND value #>> ''{}'' <> '''' THEN left(value #>> ''{}'', 350) END
';

INSERT INTO "MessageDeclaration" ("messageRowId", "position", "lrn", "customsDeclarationReference", "mrn")
WITH "bodies" AS (
    SELECT "id", "channel", "pathParams", "lrn", "mrn", "customsDeclarationReference", pg_temp."receiverBody"("rawBody") AS "body"
    FROM "Message"
), "holders" AS (
    SELECT "id", 0 AS "position", "body" -> 'header' AS "holder",
           NULLIF(pg_temp."receiverJson"("pathParams") ->> 'customsDeclarationReference', '') AS "pathReference"
    FROM "bodies" WHERE "channel" = 'declaration_response'
    UNION ALL
    SELECT "id", 0, "body" -> 'declaration', NULL FROM "bodies" WHERE "channel" = 'declaration_error'
    UNION ALL
    SELECT "id", 0, jsonb_build_object('lrn', "lrn", 'customsDeclarationReference', "customsDeclarationReference", 'mrn', "mrn"), NULL
    FROM "bodies" WHERE "channel" = 'unknown'
    UNION ALL
    SELECT b."id", (e."ordinality" - CASE WHEN b."channel" = 'unknown' THEN 0 ELSE 1 END)::INTEGER, e."value", NULL
    FROM "bodies" AS b
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(b."body" -> 'declarations') = 'array' THEN b."body" -> 'declarations' ELSE '[]'::jsonb END)
        WITH ORDINALITY AS e("value", "ordinality")
    WHERE b."channel" IN ('request_registration', 'unknown')
), "keys" AS (
    SELECT "id", "position",
        pg_temp."receiverKey"("holder" -> 'lrn') AS "lrn",
        COALESCE(pg_temp."receiverKey"("holder" -> 'customsDeclarationReference'), "pathReference") AS "customsDeclarationReference",
        pg_temp."receiverKey"("holder" -> 'mrn') AS "mrn"
    FROM "holders" WHERE jsonb_typeof("holder") = 'object'
)
SELECT "id", "position", "lrn", "customsDeclarationReference", "mrn" FROM "keys"
WHERE "lrn" IS NOT NULL OR "customsDeclarationReference" IS NOT NULL OR "mrn" IS NOT NULL;

-- The keys of stored messages of the known channels, as they are read now (only from published members): the
-- rows whose columns came from another member are rewritten, the others left alone.
UPDATE "Message" SET
    "lrn" = k."lrn", "mrn" = k."mrn", "customsDeclarationReference" = k."customsDeclarationReference", "state" = k."state",
    "customsRequestReference" = k."customsRequestReference", "operatorRequestReference" = k."operatorRequestReference"
FROM (
    SELECT b."id", (SELECT d."lrn" FROM "MessageDeclaration" AS d WHERE d."messageRowId" = b."id" ORDER BY d."position" LIMIT 1) AS "lrn", (SELECT d."mrn" FROM "MessageDeclaration" AS d WHERE d."messageRowId" = b."id" ORDER BY d."position" LIMIT 1) AS "mrn",
        (SELECT d."customsDeclarationReference" FROM "MessageDeclaration" AS d WHERE d."messageRowId" = b."id" ORDER BY d."position" LIMIT 1) AS "customsDeclarationReference",
        CASE WHEN b."channel" = 'declaration_response' THEN pg_temp."receiverKey"(b."body" #> '{declarationState,state}') END AS "state",
        CASE WHEN b."channel" = 'request_registration' THEN COALESCE(pg_temp."receiverKey"(b."body" #> '{request,customsRequestReference}'),
            NULLIF(pg_temp."receiverJson"(b."pathParams") ->> 'customsRequestReference', '')) END AS "customsRequestReference",
        CASE b."channel" WHEN 'request_registration' THEN pg_temp."receiverKey"(b."body" #> '{header,operatorRequestReference}')
            WHEN 'declaration_error' THEN pg_temp."receiverKey"(b."body" #> '{request,operatorRequestReference}') END AS "operatorRequestReference"
    FROM (
        SELECT "id", "channel", "pathParams", pg_temp."receiverBody"("rawBody") AS "body" FROM "Message"
        WHERE "channel" IN ('declaration_response', 'request_registration', 'declaration_error')
    ) AS b
    WHERE b."body" IS NOT NULL
) AS k
WHERE "Message"."id" = k."id" AND ("Message"."lrn" IS DISTINCT FROM k."lrn" OR "Message"."mrn" IS DISTINCT FROM k."mrn"
    OR "Message"."customsDeclarationReference" IS DISTINCT FROM k."customsDeclarationReference" OR "Message"."state" IS DISTINCT FROM k."state"
    OR "Message"."customsRequestReference" IS DISTINCT FROM k."customsRequestReference"
    OR "Message"."operatorRequestReference" IS DISTINCT FROM k."operatorRequestReference");

-- Nothing is checked on a path no channel knows: say so.
UPDATE "Message" SET "validation" = 'unchecked' WHERE "channel" = 'unknown';

-- CreateIndex
CREATE INDEX "MessageDeclaration_lrn_messageRowId_idx" ON "MessageDeclaration"("lrn", "messageRowId");

-- CreateIndex
CREATE INDEX "MessageDeclaration_customsDeclarationReference_messageRowId_idx" ON "MessageDeclaration"("customsDeclarationReference", "messageRowId");

-- CreateIndex
CREATE INDEX "MessageDeclaration_mrn_messageRowId_idx" ON "MessageDeclaration"("mrn", "messageRowId");

-- AddForeignKey
ALTER TABLE "MessageDeclaration" ADD CONSTRAINT "MessageDeclaration_messageRowId_fkey" FOREIGN KEY ("messageRowId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
