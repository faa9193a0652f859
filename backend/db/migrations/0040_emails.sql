-- Emails (issue 6): the email definitions (synced), their saved versions (synced, insert
-- only), per-contact frequency rules (synced), and the executor-local send queue, counters
-- and link statistics.

CREATE TABLE emails(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  kind TEXT NOT NULL DEFAULT 'template',      -- template | list (segment email)
  subject TEXT NOT NULL DEFAULT '',
  preheader TEXT NOT NULL DEFAULT '',
  from_name TEXT NOT NULL DEFAULT '',
  from_address TEXT NOT NULL DEFAULT '',
  reply_to TEXT NOT NULL DEFAULT '',
  bcc TEXT NOT NULL DEFAULT '',               -- comma-separated addresses
  utm_tags TEXT NOT NULL DEFAULT '{}',        -- JSON {"utm_source":..}
  headers TEXT NOT NULL DEFAULT '{}',         -- JSON extra headers
  html TEXT NOT NULL DEFAULT '',              -- rendered HTML (what is sent)
  source TEXT NOT NULL DEFAULT '',            -- builder source (MJML / GrapesJS project), optional
  plain_text TEXT NOT NULL DEFAULT '',        -- used when plain_text_auto = 0
  plain_text_auto INTEGER NOT NULL DEFAULT 1,
  category TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  language TEXT NOT NULL DEFAULT '',
  translation_parent_id TEXT,
  variant_parent_id TEXT,
  variant_weight INTEGER NOT NULL DEFAULT 0,
  winner_criteria TEXT NOT NULL DEFAULT '',   -- '' | open_rate | click_rate
  winner_after_hours INTEGER NOT NULL DEFAULT 0,
  segments TEXT NOT NULL DEFAULT '[]',        -- JSON segment ids (segment emails)
  excluded_segments TEXT NOT NULL DEFAULT '[]',
  attachments TEXT NOT NULL DEFAULT '[]',     -- JSON [{"name","path","contentType"}]
  publish_up INTEGER,
  publish_down INTEGER,
  is_published INTEGER NOT NULL DEFAULT 1,
  scheduled INTEGER NOT NULL DEFAULT 0,       -- segment email: send automatically from publish_up
  revision INTEGER NOT NULL DEFAULT 1,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  name_key TEXT,                              -- fold(name)
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX emails_name ON emails(coalesce(name_key, ''), id) WHERE deleted = 0;
CREATE INDEX emails_modified ON emails(date_modified, id) WHERE deleted = 0;
CREATE INDEX emails_translation ON emails(translation_parent_id) WHERE deleted = 0 AND translation_parent_id IS NOT NULL;
CREATE INDEX emails_variant ON emails(variant_parent_id) WHERE deleted = 0 AND variant_parent_id IS NOT NULL;

-- One row per saved revision: the full email as JSON. id = ids.Derived("email_version", email, revision).
CREATE TABLE email_versions(
  id TEXT PRIMARY KEY,
  email_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  snapshot TEXT NOT NULL,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX email_versions_email ON email_versions(email_id, revision) WHERE deleted = 0;

-- Mautic's lead_frequencyrules; id = ids.Derived("frequency_rule", contact, channel).
CREATE TABLE frequency_rules(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT 'email',
  frequency_number INTEGER NOT NULL DEFAULT 0,
  frequency_time TEXT NOT NULL DEFAULT 'DAY', -- DAY | WEEK | MONTH
  pause_from INTEGER,
  pause_to INTEGER,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX frequency_rules_contact ON frequency_rules(contact_id, channel) WHERE deleted = 0;

-- The durable send queue and per-send statistics (Mautic's email_stats), local to the
-- executor. A row is the intent to send email_id to contact_id; msg_id is fixed when the
-- row is claimed (state sending) and reused on any retry, so a restart reconciles by it.
-- email_id is the root email (what the user sent); variant_id the variant/translation
-- actually rendered. dedupe is '' for segment emails (once per contact) and the caller's
-- key for template emails (campaign event, form submission...).
CREATE TABLE email_sends(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  email_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  dedupe TEXT NOT NULL DEFAULT '',
  segment_id TEXT,
  source TEXT NOT NULL DEFAULT '',             -- segment | campaign | form | test | api
  state TEXT NOT NULL DEFAULT 'pending',       -- pending | sending | sent | failed | skipped
  reason TEXT,                                 -- skip/failure reason: dnc, invalid, bounced, frequency...
  variant_id TEXT,
  address TEXT,
  msg_id TEXT,
  owner TEXT,                                  -- the sender instance that claimed it (state sending)
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  queued_at INTEGER NOT NULL,
  sent_at INTEGER,
  error TEXT,
  is_read INTEGER NOT NULL DEFAULT 0,
  read_at INTEGER,
  open_count INTEGER NOT NULL DEFAULT 0,
  clicked INTEGER NOT NULL DEFAULT 0,
  device TEXT
);
CREATE UNIQUE INDEX email_sends_once ON email_sends(email_id, contact_id, dedupe);
CREATE INDEX email_sends_due ON email_sends(next_at, seq) WHERE state = 'pending';
CREATE INDEX email_sends_due_email ON email_sends(email_id, next_at, seq) WHERE state = 'pending';
CREATE INDEX email_sends_claimed ON email_sends(owner) WHERE state = 'sending';
CREATE INDEX email_sends_contact ON email_sends(contact_id, sent_at);
CREATE UNIQUE INDEX email_sends_msg ON email_sends(msg_id) WHERE msg_id IS NOT NULL;

-- Aggregates kept in the same transaction as the send/open/click they count, so stats never
-- scan email_sends. metric: queued sent failed skipped bounced read read_total clicked
-- clicked_total unsubscribed. device '' when not applicable.
CREATE TABLE email_counts(
  email_id TEXT NOT NULL,
  day TEXT NOT NULL,                            -- YYYY-MM-DD (UTC)
  device TEXT NOT NULL DEFAULT '',
  metric TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(email_id, metric, day, device)
) WITHOUT ROWID;

CREATE TABLE email_link_counts(
  email_id TEXT NOT NULL,
  url TEXT NOT NULL,
  clicks INTEGER NOT NULL DEFAULT 0,
  unique_clicks INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(email_id, url)
) WITHOUT ROWID;

-- Which send clicked which link (unique clicks per link).
CREATE TABLE email_send_clicks(
  seq INTEGER NOT NULL,
  url TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(seq, url)
) WITHOUT ROWID;
