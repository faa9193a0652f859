-- Forms and assets (issue 9): form definitions (synced; fields and submit actions as JSON so
-- the tracker reads one row), results (local, derived from ingested hits: id = hit id, like
-- events), the outbox of the webhook and "email to a user" actions (local, durable), assets
-- (synced) and their content-addressed 256 KiB chunks (synced, so every tracker of a team
-- can serve a file).

CREATE TABLE forms(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT 'standalone',     -- standalone | campaign
  kiosk INTEGER NOT NULL DEFAULT 0,
  submit_label TEXT NOT NULL DEFAULT 'Submit',
  post_action TEXT NOT NULL DEFAULT 'message',  -- message | redirect
  post_value TEXT NOT NULL DEFAULT '',          -- the message text or the redirect URL
  min_seconds INTEGER NOT NULL DEFAULT 2,       -- anti-spam: minimum time from render to submit
  fields TEXT NOT NULL DEFAULT '[]',            -- JSON []Field
  actions TEXT NOT NULL DEFAULT '[]',           -- JSON []Action
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  name_key TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX forms_name ON forms(coalesce(name_key, ''), id) WHERE deleted = 0;

CREATE TABLE form_results(
  id TEXT PRIMARY KEY,                          -- the hit / event id
  form_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  url TEXT,
  ip TEXT,
  vals TEXT NOT NULL DEFAULT '{}',              -- JSON {alias: value}
  issues TEXT NOT NULL DEFAULT '[]'             -- JSON: actions that could not run (a deleted email, segment...)
);
CREATE INDEX form_results_form ON form_results(form_id, at, id);
CREATE INDEX form_results_contact ON form_results(contact_id);

CREATE TABLE form_outbox(
  id TEXT PRIMARY KEY,                          -- derived from the result and the action
  kind TEXT NOT NULL,                           -- webhook | user_email
  target TEXT NOT NULL,                         -- the webhook URL or the user's address
  ref TEXT NOT NULL DEFAULT '',                 -- the email id (user_email)
  body TEXT NOT NULL DEFAULT '',                -- the JSON posted (webhook)
  state TEXT NOT NULL DEFAULT 'pending',        -- pending | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX form_outbox_due ON form_outbox(state, next_at);

CREATE TABLE assets(
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  slug TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  category TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  kind TEXT NOT NULL DEFAULT 'file',            -- file | remote
  remote_url TEXT NOT NULL DEFAULT '',
  file_name TEXT NOT NULL DEFAULT '',
  mime TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  chunks TEXT NOT NULL DEFAULT '[]',            -- JSON chunk ids (sha256 of each chunk), in order
  gate_form_id TEXT,                            -- show this form before the download
  is_published INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  title_key TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX assets_title ON assets(coalesce(title_key, ''), id) WHERE deleted = 0;
CREATE INDEX assets_slug ON assets(slug) WHERE deleted = 0;

CREATE TABLE asset_chunks(
  id TEXT PRIMARY KEY,                          -- hex sha256 of data
  data BLOB NOT NULL,
  size INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
