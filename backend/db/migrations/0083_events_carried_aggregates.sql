-- Catch-up aggregates (issue 4, desktop ingest): while ingest catches up with a backlog, the
-- behaviour aggregates (contact_stats, contact_urls, contact_devices, contact_utm) of its
-- events are kept in memory across transactions (events.Carry) and written once per contact
-- and key for many batches. What is durable is which events are owed: every catch-up
-- transaction records its seq range here, and a contact whose aggregates were written early
-- (events.Settle: a merge, a points rule) records the seq up to which they are. After a
-- crash the owed aggregates are computed again from the log (events.RecoverCarried): nothing
-- is lost and nothing counted twice. Both tables are empty outside a catch-up. Local, never
-- synced (derived from the log like the aggregates themselves).
CREATE TABLE event_agg_ranges(
  lo INTEGER NOT NULL,
  hi INTEGER NOT NULL
);
CREATE TABLE event_agg_settled(
  contact_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) WITHOUT ROWID;
