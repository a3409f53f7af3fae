-- Where an imported query stood in its file: pandas' index (the unnamed first column, as written) and
-- its row, so an export writes INQUIRE's query files back byte for byte (lib/export/inquire-queries.ts).
ALTER TABLE queries ADD COLUMN source_index text, ADD COLUMN source_position integer;
