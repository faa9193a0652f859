-- Campaign engine speed (issue 7, branch camp7): a membership row names its campaign by a
-- small local integer from campaign_keys (given on first use, never reused or deleted)
-- instead of the campaign's 36-byte UUID, in the row's key and again in the contact index:
-- every contact entering a campaign wrote two 70+-byte keys. campaign_members and these
-- keys are local to the store, like campaign_log (not declared for team sync).
CREATE TABLE campaign_keys(
  k INTEGER PRIMARY KEY,
  campaign_id TEXT NOT NULL UNIQUE
);
INSERT INTO campaign_keys(campaign_id) SELECT DISTINCT campaign_id FROM campaign_members ORDER BY 1;

CREATE TABLE campaign_members_new(
  campaign_key INTEGER NOT NULL,             -- campaign_keys.k
  contact_id TEXT NOT NULL,
  date_added INTEGER NOT NULL,
  manually_added INTEGER NOT NULL DEFAULT 0,
  manually_removed INTEGER NOT NULL DEFAULT 0,
  date_last_exited INTEGER,
  rotation INTEGER NOT NULL DEFAULT 1,
  started INTEGER NOT NULL DEFAULT 0,        -- rotation whose root events were scheduled
  PRIMARY KEY(campaign_key, contact_id)
) WITHOUT ROWID;
INSERT INTO campaign_members_new(campaign_key, contact_id, date_added, manually_added, manually_removed, date_last_exited,
    rotation, started)
  SELECT k.k, m.contact_id, m.date_added, m.manually_added, m.manually_removed, m.date_last_exited, m.rotation, m.started
  FROM campaign_members m JOIN campaign_keys k ON k.campaign_id = m.campaign_id ORDER BY 1, 2;
DROP TABLE campaign_members;
ALTER TABLE campaign_members_new RENAME TO campaign_members;
CREATE INDEX campaign_members_contact ON campaign_members(contact_id, campaign_key);

-- campaign_members with the campaign's id, for readers that want the id.
CREATE VIEW campaign_members_ids AS
  SELECT k.campaign_id, m.contact_id, m.date_added, m.manually_added, m.manually_removed, m.date_last_exited, m.rotation,
    m.started
  FROM campaign_members m JOIN campaign_keys k ON k.k = m.campaign_key;
