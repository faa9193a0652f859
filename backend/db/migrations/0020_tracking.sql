-- Tracking (backend/tracking): hits stored by `magpie tracker`, the devices that identify
-- visitors, and the record of contact merges.

-- Raw hits, append-only, one row per accepted request; id is the tracker's hit id
-- (idempotency key). Local: in a team the same table lives in rqlite and desktops pull it by
-- seq into theirs. Ingest turns each hit into contacts/events once (cursor in meta).
CREATE TABLE hits(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,                  -- page | open | click | form | unsub | resub
  at INTEGER NOT NULL,                 -- received, Unix ms
  device_id TEXT,
  contact_id TEXT,                     -- only from a verified signed token
  email_id TEXT,
  send_id TEXT,
  form_id TEXT,
  url TEXT,
  title TEXT,
  referrer TEXT,
  lang TEXT,
  user_agent TEXT,
  ip TEXT,                             -- hashed or truncated (tracker setting)
  bot INTEGER NOT NULL DEFAULT 0,
  data TEXT                            -- JSON object: utm_*, resolution, field.*, tags ...
);
CREATE INDEX hits_at ON hits(at);

-- Which contact a tracking device (mautic_device_id) belongs to. Local, rebuilt identically
-- on every desktop from the same ordered hits.
CREATE TABLE tracking_devices(
  device_id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  user_agent TEXT
);
CREATE INDEX tracking_devices_contact ON tracking_devices(contact_id);

-- Merges of contacts (the loser moved into the winner, then trashed); id =
-- ids.Derived("contact_merge", loser, winner).
CREATE TABLE contact_merges(
  id TEXT PRIMARY KEY,
  winner_id TEXT NOT NULL,
  loser_id TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX contact_merges_winner ON contact_merges(winner_id);
CREATE INDEX contact_merges_loser ON contact_merges(loser_id);
