-- Campaign engine speed (issue 7): live counts per campaign event and status kept in a small
-- table by triggers, instead of the (campaign_id, event_id, status) index on campaign_log
-- that every step had to update twice (insert + status change). Stats and the builder's live
-- counts read this table (a few rows per event) instead of counting millions of log rows.
-- Adjusting contact-zone triggers finds its transient rows through a tiny partial index.

CREATE TABLE campaign_counts(
  campaign_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(campaign_id, event_id, status)
) WITHOUT ROWID;

INSERT INTO campaign_counts(campaign_id, event_id, status, n)
  SELECT campaign_id, event_id, status, count(*) FROM campaign_log GROUP BY campaign_id, event_id, status;

CREATE TRIGGER campaign_log_count_ins AFTER INSERT ON campaign_log BEGIN
  INSERT INTO campaign_counts(campaign_id, event_id, status, n) VALUES(new.campaign_id, new.event_id, new.status, 1)
    ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER campaign_log_count_upd AFTER UPDATE OF status, campaign_id, event_id ON campaign_log
  WHEN old.status IS NOT new.status OR old.campaign_id IS NOT new.campaign_id OR old.event_id IS NOT new.event_id BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND event_id = old.event_id AND status = old.status;
  INSERT INTO campaign_counts(campaign_id, event_id, status, n) VALUES(new.campaign_id, new.event_id, new.status, 1)
    ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER campaign_log_count_del AFTER DELETE ON campaign_log BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND event_id = old.event_id AND status = old.status;
END;

DROP INDEX campaign_log_event;
CREATE INDEX campaign_log_adjust ON campaign_log(campaign_id, event_id) WHERE status = 'adjust';
