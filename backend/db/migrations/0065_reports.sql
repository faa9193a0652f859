-- Reports (issue 8): definitions are synced (trash via tombstones); the schedule's run state
-- is local to each desktop (a missed schedule runs once on the next start).

CREATE TABLE reports(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,                    -- data source id (contacts, email.events, page.hits ...)
  definition TEXT NOT NULL DEFAULT '{}',   -- JSON: columns, filters, group-by, sort, dates, graph
  schedule TEXT NOT NULL DEFAULT '{}',     -- JSON: every (daily|weekly|monthly), folder, emails, format
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX reports_name ON reports(name, id) WHERE deleted = 0;

CREATE TABLE report_runs(
  report_id TEXT PRIMARY KEY,
  last_run_at INTEGER NOT NULL,            -- when the schedule last ran (ms)
  last_status TEXT NOT NULL DEFAULT '',    -- ok | error
  last_error TEXT NOT NULL DEFAULT '',
  last_path TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
