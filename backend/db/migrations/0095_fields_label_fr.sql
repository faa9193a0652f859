-- A custom field's label in French (core fields carry theirs in code): shown in the French UI,
-- matched by the import's auto-mapping, written in French reports.
ALTER TABLE fields ADD COLUMN label_fr TEXT;
