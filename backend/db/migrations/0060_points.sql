-- Points (MAUTIC.md §7): point actions, point groups with per-contact group scores, point
-- triggers and their once-per-contact logs, and stages. Definitions and group scores are
-- synced (tombstones = the trash); the logs are local and make rules idempotent.

CREATE TABLE point_groups(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX point_groups_name ON point_groups(name, id) WHERE deleted = 0;

-- Mautic's point_group_contact_score; id = ids.Derived("point_group_score", contact, group).
CREATE TABLE point_group_scores(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  score INTEGER NOT NULL DEFAULT 0,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE UNIQUE INDEX point_group_scores_contact ON point_group_scores(contact_id, group_id);
CREATE INDEX point_group_scores_group ON point_group_scores(group_id, score, contact_id) WHERE deleted = 0;

-- Mautic's points table: what a contact does → delta points (main or a group).
CREATE TABLE point_actions(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,                 -- email.open, email.send, email.click, url.hit, page.hit, page.visits, form.submit, asset.download
  delta INTEGER NOT NULL DEFAULT 0,
  properties TEXT NOT NULL DEFAULT '{}',
  repeatable INTEGER NOT NULL DEFAULT 0,
  group_id TEXT,                      -- NULL = the contact's main points
  is_published INTEGER NOT NULL DEFAULT 1,
  publish_up INTEGER,
  publish_down INTEGER,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX point_actions_name ON point_actions(name, id) WHERE deleted = 0;

-- Mautic's point_lead_action_log: a non-repeatable action applies once per contact.
CREATE TABLE point_action_log(
  action_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 1,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY(action_id, contact_id)
) WITHOUT ROWID;

-- Mautic's point_triggers + point_trigger_events (events as a JSON list with stable ids).
CREATE TABLE point_triggers(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  points INTEGER NOT NULL DEFAULT 0,  -- threshold
  group_id TEXT,                      -- NULL = main points
  color TEXT NOT NULL DEFAULT '',
  trigger_existing INTEGER NOT NULL DEFAULT 0,
  events TEXT NOT NULL DEFAULT '[]',
  is_published INTEGER NOT NULL DEFAULT 1,
  publish_up INTEGER,
  publish_down INTEGER,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX point_triggers_name ON point_triggers(name, id) WHERE deleted = 0;

-- Mautic's point_lead_event_log: each trigger event fires once per contact, ever.
CREATE TABLE point_trigger_log(
  event_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  trigger_id TEXT NOT NULL,
  fired_at INTEGER NOT NULL,
  PRIMARY KEY(event_id, contact_id)
) WITHOUT ROWID;

CREATE TABLE stages(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  weight INTEGER NOT NULL DEFAULT 0,
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX stages_name ON stages(name, id) WHERE deleted = 0;
CREATE INDEX contacts_stage ON contacts(stage_id, id) WHERE deleted = 0 AND stage_id IS NOT NULL;
