-- Campaign engine speed (issue 7, branch camp5): a campaign_log row names its step by a small
-- local integer instead of the campaign's 36-byte UUID and the event's id (a UUID too when
-- the builder made it), in the row and again in its unique key. campaign_step_keys gives
-- each (campaign, event) its key once; keys are never reused or deleted (log rows keep
-- them). campaign_log and these keys are local to the store: not declared for team sync.
CREATE TABLE campaign_step_keys(
  k INTEGER PRIMARY KEY,
  campaign_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  UNIQUE(campaign_id, event_id)
);

INSERT INTO campaign_step_keys(campaign_id, event_id)
  SELECT DISTINCT campaign_id, event_id FROM campaign_log WHERE status <> 'reserved' ORDER BY 1, 2;

-- The live counts are kept per step and status by the writers of campaign_log themselves
-- (backend/campaigns/counts.go): the per-row triggers of 0051/0054 are gone with the old
-- table, and with them the flag table that set them aside.
DROP VIEW campaign_events;
DROP TABLE campaign_counts;
DROP TABLE campaign_counts_bulk;

CREATE TABLE campaign_log_new(
  id INTEGER PRIMARY KEY,
  step INTEGER NOT NULL,                     -- campaign_step_keys.k
  contact_id TEXT NOT NULL,
  rotation INTEGER NOT NULL,
  status TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  trigger_at INTEGER NOT NULL,
  ref_at INTEGER NOT NULL,
  done_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  UNIQUE(contact_id, step, rotation)
);
INSERT INTO campaign_log_new(id, step, contact_id, rotation, status, path, trigger_at, ref_at, done_at, attempts, reason)
  SELECT l.id, k.k, l.contact_id, l.rotation, l.status, l.path, l.trigger_at, l.ref_at, l.done_at, l.attempts, l.reason
  FROM campaign_log l JOIN campaign_step_keys k ON k.campaign_id = l.campaign_id AND k.event_id = l.event_id
  WHERE l.status <> 'reserved' ORDER BY l.id;
DROP TABLE campaign_log;
ALTER TABLE campaign_log_new RENAME TO campaign_log;
CREATE INDEX campaign_log_due ON campaign_log(trigger_at, id) WHERE status IN ('scheduled', 'waiting');
CREATE INDEX campaign_log_waiting ON campaign_log(contact_id) WHERE status = 'waiting';
CREATE INDEX campaign_log_adjust ON campaign_log(step) WHERE status = 'adjust';

CREATE TABLE campaign_counts(
  step INTEGER NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(step, status)
) WITHOUT ROWID;
INSERT INTO campaign_counts(step, status, n) SELECT step, status, count(*) FROM campaign_log GROUP BY 1, 2;

-- campaign_log with its step's campaign and event ids, for readers that want the ids.
CREATE VIEW campaign_log_ids AS
  SELECT l.id, k.campaign_id, k.event_id, l.step, l.contact_id, l.rotation, l.status, l.path, l.trigger_at, l.ref_at,
    l.done_at, l.attempts, l.reason
  FROM campaign_log l JOIN campaign_step_keys k ON k.k = l.step;

-- One row per finished step (done, skipped, failed for good), in the columns of events (0053).
CREATE VIEW campaign_events AS
  SELECT l.id AS log_id, 'campaign:' || l.id AS id, l.contact_id AS contact_id, 'campaign.event' AS type,
    l.done_at AS at, k.campaign_id AS object_id, c.name || ' › ' || coalesce(s.name, k.event_id) AS object_name,
    'campaign' AS source,
    json_object('event', k.event_id, 'type', coalesce(s.type, ''), 'path', l.path, 'status', l.status, 'reason', l.reason) AS data
  FROM campaign_log l
  JOIN campaign_step_keys k ON k.k = l.step
  JOIN campaigns c ON c.id = k.campaign_id
  LEFT JOIN campaign_steps s ON s.campaign_id = k.campaign_id AND s.event_id = k.event_id
  WHERE l.status IN ('done', 'skipped', 'failed') AND l.done_at IS NOT NULL;
