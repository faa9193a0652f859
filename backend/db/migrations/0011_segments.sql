-- Segments: definitions (synced, trash via tombstones), every saved version (synced, so a
-- bad edit is never unrecoverable), and the local membership materialisation with Mautic's
-- manual flags (lead_lists_leads).

CREATE TABLE segments(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  alias TEXT NOT NULL COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  filters TEXT NOT NULL DEFAULT '[]',       -- JSON: Mautic flat list or nested group
  is_published INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX segments_name ON segments(name, id) WHERE deleted = 0;
CREATE INDEX segments_alias ON segments(alias) WHERE deleted = 0;

CREATE TABLE segment_versions(
  id TEXT PRIMARY KEY,                      -- ids.Derived("segment_version", segment, version)
  segment_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  filters TEXT NOT NULL,
  is_published INTEGER NOT NULL,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX segment_versions_segment ON segment_versions(segment_id, version);

CREATE TABLE segment_members(
  segment_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  date_added INTEGER NOT NULL,
  manually_added INTEGER NOT NULL DEFAULT 0,
  manually_removed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(segment_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_contact ON segment_members(contact_id, segment_id);

-- Build bookkeeping and the cached member count (Mautic's last_built_date/time).
CREATE TABLE segment_builds(
  segment_id TEXT PRIMARY KEY,
  members INTEGER NOT NULL DEFAULT 0,
  last_built_at INTEGER,
  last_built_ms INTEGER,
  last_added INTEGER NOT NULL DEFAULT 0,
  last_removed INTEGER NOT NULL DEFAULT 0,
  error TEXT
);

-- Contacts touched by commits and not yet re-evaluated (the live queue survives a crash).
CREATE TABLE segment_dirty(
  contact_id TEXT PRIMARY KEY,
  queued_at INTEGER NOT NULL
) WITHOUT ROWID;
