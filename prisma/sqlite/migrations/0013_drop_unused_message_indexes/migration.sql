-- No query reads Message by mrn or customsDeclarationReference: those searches go through MessageDeclaration,
-- which holds every declaration a message names (test/messages/indexes.test.ts). Each of these two indexes cost
-- every stored callback a write in a random place.
DROP INDEX "Message_mrn_id_idx";
DROP INDEX "Message_customsDeclarationReference_id_idx";
