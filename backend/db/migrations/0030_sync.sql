-- Team sync (package teamsync, ../shared/SYNC.md §3.3): per-cell clocks, the transactional
-- outbox, and remote changes this version could not apply yet. All local tables.

-- The clock of every synced cell: the (hlc, site) of the write that set its value.
CREATE TABLE sync_clock(
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  col TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  site TEXT NOT NULL,
  PRIMARY KEY(tbl, row_id, col)
) WITHOUT ROWID;

-- Local edits not yet acknowledged by the cluster, written in the edit's own transaction.
-- state: 0 pending, 2 rejected by the cluster (shown, never retried forever).
CREATE TABLE sync_outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  change_id TEXT NOT NULL UNIQUE,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  cols TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  site TEXT NOT NULL,
  schema_ver INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
CREATE INDEX sync_outbox_state ON sync_outbox(state, seq);
CREATE INDEX sync_outbox_row ON sync_outbox(tbl, row_id, hlc) WHERE state = 0;

-- Pulled changes (or the part of them) that could not be applied: unknown tables or
-- columns (a newer teammate), a clock too far ahead, a row this schema cannot hold yet.
-- Retried after an upgrade and after every pull.
CREATE TABLE sync_parked(
  change_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  cols TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  site TEXT NOT NULL,
  schema_ver INTEGER NOT NULL,
  reason TEXT NOT NULL,
  parked_at INTEGER NOT NULL
);

-- Scratch for a bootstrap: the cluster's cell clocks seen, to find local cells the cluster
-- lacks (after a restore) and push them again. Emptied at each bootstrap.
CREATE TABLE sync_seen(
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  col TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  site TEXT NOT NULL,
  PRIMARY KEY(tbl, row_id, col)
) WITHOUT ROWID;
