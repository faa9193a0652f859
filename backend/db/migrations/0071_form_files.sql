-- Files uploaded through form file fields (issue 9): local like form_results, one row per
-- file of a submission; the bytes are content-addressed chunks in asset_chunks (synced).
CREATE TABLE form_files(
  id TEXT PRIMARY KEY,                          -- derived from the result id and the field
  result_id TEXT NOT NULL,                      -- form_results.id (the hit / event id)
  form_id TEXT NOT NULL,
  field TEXT NOT NULL,                          -- the field alias
  file_name TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  chunks TEXT NOT NULL                          -- JSON [chunk id...]
);
CREATE INDEX form_files_result ON form_files(result_id);
