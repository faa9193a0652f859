-- Dashboard (issue 8): small rollups of the event log kept incrementally by package
-- dashboard (a catch-up over events.seq, so every way events arrive is counted: Append,
-- AppendMany, raw inserts), the saved boards, and one covering index for the contact
-- widgets (created over time, identified vs anonymous, by country, points and stages
-- funnels of the contacts created in the board's date range).

-- Per local day (the app's time zone) and metric: n events, u distinct contacts.
CREATE TABLE dash_daily(
  metric TEXT NOT NULL,            -- page.hit, email.sent, email.read, email.clicked, email.failed, form.submitted, asset.downloaded
  day TEXT NOT NULL,               -- YYYY-MM-DD in the app's time zone
  n INTEGER NOT NULL DEFAULT 0,
  u INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(metric, day)
) WITHOUT ROWID;

-- Per local day, list and key: counts for the top lists (pages by URL, referrers by host,
-- emails by id or name for sent/read/clicked).
CREATE TABLE dash_top(
  kind TEXT NOT NULL,              -- page | referrer | email.sent | email.read | email.clicked
  day TEXT NOT NULL,
  key TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(kind, day, key)
) WITHOUT ROWID;

-- Catch-up state: k = 'seq' (last events.seq folded), 'tz' (zone the days are in).
CREATE TABLE dash_state(k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;

-- Saved boards, one per user of this installation (local, not synced).
CREATE TABLE dash_layouts(
  user_key TEXT PRIMARY KEY,
  layout TEXT NOT NULL,            -- JSON {"widgets":[{"id","type","w","h"}...]}
  updated_at INTEGER NOT NULL
);

CREATE INDEX dash_contacts_added ON contacts(date_added, date_identified, country, points, stage_id) WHERE deleted = 0;
