-- Campaign engine speed (issue 7): campaign steps are no longer copied into the behaviour
-- log. As in Mautic (campaign_lead_event_log feeds the contact timeline), campaign_log IS the
-- campaign-local log: the contact timeline and the "Campaign events" report read the view
-- campaign_events below, shaped like an events row. Saves a row in events (seven B-trees)
-- per contact-step.

-- Step names and types of each published graph, kept by triggers on campaigns (so a graph
-- arriving by team sync is covered too); the view joins them by (campaign, event).
CREATE TABLE campaign_steps(
  campaign_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY(campaign_id, event_id)
) WITHOUT ROWID;

INSERT OR REPLACE INTO campaign_steps(campaign_id, event_id, name, type)
  SELECT c.id, json_extract(j.value, '$.id'),
    coalesce(nullif(json_extract(j.value, '$.name'), ''), json_extract(j.value, '$.type'), ''),
    coalesce(json_extract(j.value, '$.type'), '')
  FROM campaigns c, json_each(c.published_graph, '$.events') j
  WHERE c.published_graph IS NOT NULL AND json_valid(c.published_graph) AND json_extract(j.value, '$.id') IS NOT NULL;

CREATE TRIGGER campaign_steps_ins AFTER INSERT ON campaigns WHEN new.published_graph IS NOT NULL AND json_valid(new.published_graph) BEGIN
  INSERT OR REPLACE INTO campaign_steps(campaign_id, event_id, name, type)
    SELECT new.id, json_extract(j.value, '$.id'),
      coalesce(nullif(json_extract(j.value, '$.name'), ''), json_extract(j.value, '$.type'), ''),
      coalesce(json_extract(j.value, '$.type'), '')
    FROM json_each(new.published_graph, '$.events') j WHERE json_extract(j.value, '$.id') IS NOT NULL;
END;

CREATE TRIGGER campaign_steps_upd AFTER UPDATE OF published_graph ON campaigns BEGIN
  DELETE FROM campaign_steps WHERE campaign_id = new.id;
  INSERT OR REPLACE INTO campaign_steps(campaign_id, event_id, name, type)
    SELECT new.id, json_extract(j.value, '$.id'),
      coalesce(nullif(json_extract(j.value, '$.name'), ''), json_extract(j.value, '$.type'), ''),
      coalesce(json_extract(j.value, '$.type'), '')
    FROM json_each(CASE WHEN json_valid(new.published_graph) THEN new.published_graph END, '$.events') j
    WHERE json_extract(j.value, '$.id') IS NOT NULL;
END;

-- One row per finished step (done, skipped, failed for good), in the columns of events.
CREATE VIEW campaign_events AS
  SELECT l.id AS log_id, 'campaign:' || l.id AS id, l.contact_id AS contact_id, 'campaign.event' AS type,
    l.done_at AS at, l.campaign_id AS object_id, c.name || ' › ' || coalesce(s.name, l.event_id) AS object_name,
    'campaign' AS source,
    json_object('event', l.event_id, 'type', coalesce(s.type, ''), 'path', l.path, 'status', l.status, 'reason', l.reason) AS data
  FROM campaign_log l
  JOIN campaigns c ON c.id = l.campaign_id
  LEFT JOIN campaign_steps s ON s.campaign_id = l.campaign_id AND s.event_id = l.event_id
  WHERE l.status IN ('done', 'skipped', 'failed') AND l.done_at IS NOT NULL;

-- The copies made before this migration ('campaign:<log id>' rows) are derived from
-- campaign_log, which the view now serves: dropped so the timeline shows each step once.
DELETE FROM events WHERE type = 'campaign.event' AND id GLOB 'campaign:*';
