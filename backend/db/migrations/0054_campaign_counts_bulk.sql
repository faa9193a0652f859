-- Campaign engine speed (issue 7): the runner's set-based statements (a batch's outcomes,
-- its children) keep campaign_counts exact with one grouped upsert per statement instead of
-- one upsert per row from the triggers. While a row is in campaign_counts_bulk (only inside
-- such a statement's transaction, removed right after it) the insert and status triggers
-- stand aside; every other write path is counted by the triggers as before.

CREATE TABLE campaign_counts_bulk(k INTEGER PRIMARY KEY);

DROP TRIGGER campaign_log_count_ins;
CREATE TRIGGER campaign_log_count_ins AFTER INSERT ON campaign_log
  WHEN NOT EXISTS (SELECT 1 FROM campaign_counts_bulk) BEGIN
  INSERT INTO campaign_counts(campaign_id, event_id, status, n) VALUES(new.campaign_id, new.event_id, new.status, 1)
    ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER campaign_log_count_upd;
CREATE TRIGGER campaign_log_count_upd AFTER UPDATE OF status, campaign_id, event_id ON campaign_log
  WHEN (old.status IS NOT new.status OR old.campaign_id IS NOT new.campaign_id OR old.event_id IS NOT new.event_id)
    AND NOT EXISTS (SELECT 1 FROM campaign_counts_bulk) BEGIN
  UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND event_id = old.event_id AND status = old.status;
  INSERT INTO campaign_counts(campaign_id, event_id, status, n) VALUES(new.campaign_id, new.event_id, new.status, 1)
    ON CONFLICT(campaign_id, event_id, status) DO UPDATE SET n = n + 1;
END;
