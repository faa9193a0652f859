-- Campaigns (issue 7): definitions (synced, trash via tombstones) with the draft graph and
-- the published graph the engine runs, every published version (synced), and the local
-- engine state: membership (Mautic's campaign_leads) and the log, one row per
-- contact × event × rotation, whose scheduled/waiting rows ARE the durable job table.

CREATE TABLE campaigns(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  is_published INTEGER NOT NULL DEFAULT 0,
  allow_restart INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,        -- last published version (0 = never)
  graph TEXT NOT NULL DEFAULT '{"sources":[],"events":[]}',  -- the draft
  published_graph TEXT,                      -- what the engine runs
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX campaigns_name ON campaigns(name, id) WHERE deleted = 0;

CREATE TABLE campaign_versions(
  id TEXT PRIMARY KEY,                       -- ids.Derived("campaign_version", campaign, version)
  campaign_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  graph TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX campaign_versions_campaign ON campaign_versions(campaign_id, version);

CREATE TABLE campaign_members(
  campaign_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  date_added INTEGER NOT NULL,
  manually_added INTEGER NOT NULL DEFAULT 0,
  manually_removed INTEGER NOT NULL DEFAULT 0,
  date_last_exited INTEGER,
  rotation INTEGER NOT NULL DEFAULT 1,
  started INTEGER NOT NULL DEFAULT 0,        -- rotation whose root events were scheduled
  PRIMARY KEY(campaign_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX campaign_members_contact ON campaign_members(contact_id, campaign_id);

-- status: scheduled (due at trigger_at), waiting (a decision awaiting the contact; its no
-- path is due at trigger_at), done, failed (retried while attempts < max), skipped,
-- canceled. path: yes|no for decisions and conditions. ref_at: the reference time for the
-- children (execution time, decision time, or the parent's execution for a no path).
CREATE TABLE campaign_log(
  id INTEGER PRIMARY KEY,
  campaign_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  rotation INTEGER NOT NULL,
  status TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  trigger_at INTEGER NOT NULL,
  ref_at INTEGER NOT NULL,
  done_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  UNIQUE(contact_id, campaign_id, event_id, rotation)
);
CREATE INDEX campaign_log_due ON campaign_log(trigger_at, id) WHERE status IN ('scheduled', 'waiting');
CREATE INDEX campaign_log_event ON campaign_log(campaign_id, event_id, status);
CREATE INDEX campaign_log_waiting ON campaign_log(contact_id) WHERE status = 'waiting';
