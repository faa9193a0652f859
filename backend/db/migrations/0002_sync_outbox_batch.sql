-- Team sync, compact outbox for bulk inserts (package teamsync, batch.go): the rows one
-- multi-row insert added (imports, demo data) are queued as ONE entry listing their ids,
-- instead of one sync_outbox row per new row carrying its full JSON. The push expands an
-- entry into per-row changes by reading the rows and their clocks (outbox_batch.go). Row i
-- of an entry was written with the clock (hlc + i, site): the recorder reserves the n
-- clocks as one block, so no other write of this site has a clock in [hlc, hlc_hi].
-- Local table (no dependency on the sync tables, so it may run before 0030).
CREATE TABLE IF NOT EXISTS sync_outbox_batch(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  site TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  hlc_hi INTEGER NOT NULL,
  n INTEGER NOT NULL,
  row_ids TEXT NOT NULL,
  schema_ver INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sync_outbox_batch_clock ON sync_outbox_batch(tbl, site, hlc);
