-- Team sync, compact clocks (package teamsync): a row inserted in one write gets ONE clock
-- row instead of one sync_clock row per column. Every column of the insert's column set
-- shares that (hlc, site); a column edited later gets its own sync_clock row. The clock of a
-- cell is the greater of its sync_clock entry and its row clock (when the row clock's column
-- set holds the column) — see the sync_cell view.

-- Column sets of row clocks: id is a 62-bit hash of cols (a JSON array of sorted names), so
-- an id always names the same set; a hash collision is detected on write and falls back to
-- per-column clocks.
CREATE TABLE sync_colset(
  id INTEGER PRIMARY KEY,
  cols TEXT NOT NULL
);

CREATE TABLE sync_row_clock(
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  site TEXT NOT NULL,
  colset INTEGER NOT NULL,
  PRIMARY KEY(tbl, row_id)
) WITHOUT ROWID;

-- The effective clock of every synced cell: the per-column clock unless the row clock that
-- covers the column is greater, and the row clock's columns that no greater-or-equal
-- per-column clock overrides.
CREATE VIEW sync_cell(tbl, row_id, col, hlc, site) AS
SELECT c.tbl, c.row_id, c.col, c.hlc, c.site FROM sync_clock c
WHERE NOT EXISTS(
  SELECT 1 FROM sync_row_clock r JOIN sync_colset s ON s.id = r.colset
  WHERE r.tbl = c.tbl AND r.row_id = c.row_id
    AND (r.hlc > c.hlc OR (r.hlc = c.hlc AND r.site > c.site))
    AND EXISTS(SELECT 1 FROM json_each(s.cols) j WHERE j.value = c.col))
UNION ALL
SELECT r.tbl, r.row_id, j.value, r.hlc, r.site
FROM sync_row_clock r JOIN sync_colset s ON s.id = r.colset, json_each(s.cols) j
WHERE NOT EXISTS(
  SELECT 1 FROM sync_clock c
  WHERE c.tbl = r.tbl AND c.row_id = r.row_id AND c.col = j.value
    AND (c.hlc > r.hlc OR (c.hlc = r.hlc AND c.site >= r.site)));
