-- CreateTable
CREATE TABLE "MessageDeclaration" (
    "messageRowId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "lrn" TEXT,
    "customsDeclarationReference" TEXT,
    "mrn" TEXT,

    PRIMARY KEY ("messageRowId", "position"),
    CONSTRAINT "MessageDeclaration_messageRowId_fkey" FOREIGN KEY ("messageRowId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Back-fill: every declaration the stored messages name, read from their bodies where each channel publishes
-- them (src/douane/h7/channels.ts, H7-CALLBACKS.md §6): Response_H7 header.*, with the path parameter
-- customsDeclarationReference when the header has none, Error_H7 declaration.*, Response_Registration_H7 every
-- declarations[] entry, the unknown channel its keys as already extracted, then every declarations[] entry.
-- A key is a non-empty string, cut at 350 characters. A body that is not JSON names no declaration.
INSERT INTO "MessageDeclaration" ("messageRowId", "position", "lrn", "customsDeclarationReference", "mrn")
WITH "bodies" AS (
    SELECT "id", "channel", "pathParams", "lrn", "mrn", "customsDeclarationReference",
           ltrim(CAST("rawBody" AS TEXT), char(65279)) AS "body"
    FROM "Message"
), "holders" AS (
    SELECT "id", 0 AS "position", json_extract("body", '$.header') AS "holder",
           NULLIF(json_extract("pathParams", '$.customsDeclarationReference'), '') AS "pathReference"
    FROM "bodies" WHERE "channel" = 'declaration_response' AND json_valid("body") AND json_type("body", '$.header') = 'object'
    UNION ALL
    SELECT "id", 0, json_extract("body", '$.declaration'), NULL
    FROM "bodies" WHERE "channel" = 'declaration_error' AND json_valid("body") AND json_type("body", '$.declaration') = 'object'
    UNION ALL
    SELECT "id", 0, json_object('lrn', "lrn", 'customsDeclarationReference', "customsDeclarationReference", 'mrn', "mrn"), NULL
    FROM "bodies" WHERE "channel" = 'unknown'
    UNION ALL
    SELECT b."id", e."key" + CASE WHEN b."channel" = 'unknown' THEN 1 ELSE 0 END, e."value", NULL
    FROM "bodies" AS b, json_each(b."body", '$.declarations') AS e
    WHERE b."channel" IN ('request_registration', 'unknown') AND json_valid(b."body")
      AND json_type(b."body", '$.declarations') = 'array' AND e."type" = 'object'
), "keys" AS (
    SELECT "id", "position",
        CASE WHEN json_type("holder", '$.lrn') = 'text' AND json_extract("holder", '$.lrn') <> ''
             THEN substr(json_extract("holder", '$.lrn'), 1, 350) END AS "lrn",
        COALESCE(CASE WHEN json_type("holder", '$.customsDeclarationReference') = 'text' AND json_extract("holder", '$.customsDeclarationReference') <> ''
             THEN substr(json_extract("holder", '$.customsDeclarationReference'), 1, 350) END, "pathReference") AS "customsDeclarationReference",
        CASE WHEN json_type("holder", '$.mrn') = 'text' AND json_extract("holder", '$.mrn') <> ''
             THEN substr(json_extract("holder", '$.mrn'), 1, 350) END AS "mrn"
    FROM "holders"
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
        CASE WHEN b."channel" = 'declaration_response' THEN CASE WHEN json_type(b."body", '$.declarationState.state') = 'text' AND json_extract(b."body", '$.declarationState.state') <> '' THEN substr(json_extract(b."body", '$.declarationState.state'), 1, 350) END END AS "state",
        CASE WHEN b."channel" = 'request_registration' THEN COALESCE(CASE WHEN json_type(b."body", '$.request.customsRequestReference') = 'text' AND json_extract(b."body", '$.request.customsRequestReference') <> '' THEN substr(json_extract(b."body", '$.request.customsRequestReference'), 1, 350) END,
            NULLIF(json_extract(b."pathParams", '$.customsRequestReference'), '')) END AS "customsRequestReference",
        CASE b."channel" WHEN 'request_registration' THEN CASE WHEN json_type(b."body", '$.header.operatorRequestReference') = 'text' AND json_extract(b."body", '$.header.operatorRequestReference') <> '' THEN substr(json_extract(b."body", '$.header.operatorRequestReference'), 1, 350) END
            WHEN 'declaration_error' THEN CASE WHEN json_type(b."body", '$.request.operatorRequestReference') = 'text' AND json_extract(b."body", '$.request.operatorRequestReference') <> '' THEN substr(json_extract(b."body", '$.request.operatorRequestReference'), 1, 350) END END AS "operatorRequestReference"
    FROM (
        SELECT "id", "channel", "pathParams", ltrim(CAST("rawBody" AS TEXT), char(65279)) AS "body" FROM "Message"
        WHERE "channel" IN ('declaration_response', 'request_registration', 'declaration_error')
    ) AS b
    WHERE json_valid(b."body")
) AS k
WHERE "Message"."id" = k."id" AND ("Message"."lrn" IS NOT k."lrn" OR "Message"."mrn" IS NOT k."mrn"
    OR "Message"."customsDeclarationReference" IS NOT k."customsDeclarationReference" OR "Message"."state" IS NOT k."state"
    OR "Message"."customsRequestReference" IS NOT k."customsRequestReference"
    OR "Message"."operatorRequestReference" IS NOT k."operatorRequestReference");

-- Nothing is checked on a path no channel knows: say so.
UPDATE "Message" SET "validation" = 'unchecked' WHERE "channel" = 'unknown';

-- CreateIndex
CREATE INDEX "MessageDeclaration_lrn_messageRowId_idx" ON "MessageDeclaration"("lrn", "messageRowId");

-- CreateIndex
CREATE INDEX "MessageDeclaration_customsDeclarationReference_messageRowId_idx" ON "MessageDeclaration"("customsDeclarationReference", "messageRowId");

-- CreateIndex
CREATE INDEX "MessageDeclaration_mrn_messageRowId_idx" ON "MessageDeclaration"("mrn", "messageRowId");
