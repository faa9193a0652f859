-- Dashboard (issue 8): a per-day rollup of the contacts so the contact widgets (created
-- over time, identified/anonymous, by country, points and stages funnels) cost the same
-- for 12 months as for 30 days. Package dashboard keeps it: the write path marks the
-- creation day of every contact whose counted attributes change (the triggers below, in
-- the writing transaction, so a crash loses no mark), and the dashboard's catch-up
-- recounts each marked day from the covering index dash_contacts_added.

-- Per local day (the app's time zone), dimension and key: n contacts created that day.
-- dim: 'id' (key '1' identified, '0' anonymous), 'country' (key = country, '' unknown),
-- 'band' (key = points band '0', '1', '25', '50', '100'), 'stage' (key = stage id).
CREATE TABLE dash_cdaily(
  dim TEXT NOT NULL,
  day TEXT NOT NULL,
  key TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(dim, day, key)
) WITHOUT ROWID;

-- UTC days (date_added / 86400000) whose contacts changed since they were counted.
CREATE TABLE dash_cdirty(uday INTEGER PRIMARY KEY);

CREATE TRIGGER dash_contacts_ins AFTER INSERT ON contacts BEGIN
  INSERT OR IGNORE INTO dash_cdirty(uday) VALUES(NEW.date_added / 86400000);
END;

CREATE TRIGGER dash_contacts_del AFTER DELETE ON contacts BEGIN
  INSERT OR IGNORE INTO dash_cdirty(uday) VALUES(OLD.date_added / 86400000);
END;

-- Only changes that move a contact between counted groups mark its day (a points change
-- inside one band costs nothing but this WHEN).
CREATE TRIGGER dash_contacts_upd AFTER UPDATE OF date_added, date_identified, country, points, stage_id, deleted ON contacts
WHEN OLD.deleted IS NOT NEW.deleted OR OLD.date_added IS NOT NEW.date_added
  OR (OLD.date_identified IS NULL) <> (NEW.date_identified IS NULL)
  OR OLD.country IS NOT NEW.country
  OR OLD.stage_id IS NOT NEW.stage_id
  OR (CASE WHEN OLD.points >= 100 THEN 100 WHEN OLD.points >= 50 THEN 50 WHEN OLD.points >= 25 THEN 25 WHEN OLD.points >= 1 THEN 1 ELSE 0 END)
  <> (CASE WHEN NEW.points >= 100 THEN 100 WHEN NEW.points >= 50 THEN 50 WHEN NEW.points >= 25 THEN 25 WHEN NEW.points >= 1 THEN 1 ELSE 0 END)
BEGIN
  INSERT OR IGNORE INTO dash_cdirty(uday) VALUES(OLD.date_added / 86400000);
  INSERT OR IGNORE INTO dash_cdirty(uday) VALUES(NEW.date_added / 86400000);
END;
