-- Issue 2 (rejected rows in the UI's language): each rejected row also keeps its problems as
-- JSON, [{"label": "Points", "key": "fields.errors.number"}, …], so the import wizard can say
-- them in French; reason keeps the English sentence for the CLI and the rejected-rows CSV.
ALTER TABLE import_errors ADD COLUMN problems TEXT;
