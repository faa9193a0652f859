-- Manual segment membership as a synced table (issue 5: segments and their manual
-- memberships replicate in a team). One row per (segment, contact) ever edited by hand,
-- id = ids.Derived("segment_manual", segment_id, contact_id), so two desktops address the
-- same row; state is per-row last-writer-wins: 'added', 'removed', or '' (no manual
-- decision any more: a removal that lapsed, Q8). A removal is a state, never a delete.
-- segment_members stays the local materialisation (filters + this table).
CREATE TABLE segment_manual(
  id TEXT PRIMARY KEY,
  segment_id TEXT NOT NULL DEFAULT '',
  contact_id TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  date_modified INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX segment_manual_contact ON segment_manual(contact_id, segment_id);
CREATE INDEX segment_manual_segment ON segment_manual(segment_id, contact_id);
