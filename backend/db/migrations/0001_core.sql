-- Core schema: users, fields, contacts, companies, tags, do-not-contact, notes, the event
-- log, durable jobs and imports.
--
-- Conventions (see docs/ARCHITECTURE.md):
--   * synced tables: id TEXT (UUIDv7 or name-based UUID), deleted/deleted_at tombstones,
--     instants as INTEGER Unix ms; never DEFAULT CURRENT_TIMESTAMP, never random();
--   * text that users compare is COLLATE NOCASE (Mautic compares case-insensitively);
--     accent-insensitivity comes from fold() / the *_key columns kept by Go;
--   * list indexes are partial (WHERE deleted = 0), sort on a non-NULL expression
--     (coalesce) and end with id, so keyset paging is one row-value comparison.

CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);

CREATE TABLE users(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  email TEXT COLLATE NOCASE,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);

CREATE TABLE fields(
  id TEXT PRIMARY KEY,
  object TEXT NOT NULL,               -- contact | company
  alias TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL,
  field_group TEXT NOT NULL DEFAULT 'core',
  position INTEGER NOT NULL DEFAULT 0,
  default_value TEXT,
  required INTEGER NOT NULL DEFAULT 0,
  options TEXT,                       -- JSON [{"label":..,"value":..}]
  properties TEXT,                    -- JSON, per type (scale, yes/no labels, format)
  listable INTEGER NOT NULL DEFAULT 1,
  publicly_updatable INTEGER NOT NULL DEFAULT 0,
  unique_identifier INTEGER NOT NULL DEFAULT 0,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE UNIQUE INDEX fields_alias ON fields(object, alias);

CREATE TABLE contacts(
  id TEXT PRIMARY KEY,
  title TEXT COLLATE NOCASE,
  firstname TEXT COLLATE NOCASE,
  lastname TEXT COLLATE NOCASE,
  email TEXT COLLATE NOCASE,
  mobile TEXT COLLATE NOCASE,
  phone TEXT COLLATE NOCASE,
  fax TEXT COLLATE NOCASE,
  position TEXT COLLATE NOCASE,
  company TEXT COLLATE NOCASE,
  address1 TEXT COLLATE NOCASE,
  address2 TEXT COLLATE NOCASE,
  city TEXT COLLATE NOCASE,
  state TEXT COLLATE NOCASE,
  zipcode TEXT COLLATE NOCASE,
  country TEXT COLLATE NOCASE,
  timezone TEXT COLLATE NOCASE,
  preferred_locale TEXT COLLATE NOCASE,
  website TEXT COLLATE NOCASE,
  facebook TEXT COLLATE NOCASE,
  foursquare TEXT COLLATE NOCASE,
  instagram TEXT COLLATE NOCASE,
  linkedin TEXT COLLATE NOCASE,
  skype TEXT COLLATE NOCASE,
  twitter TEXT COLLATE NOCASE,
  attribution REAL,
  attribution_date TEXT,              -- 'YYYY-MM-DD HH:MM:SS' UTC, as Mautic datetimes
  points INTEGER NOT NULL DEFAULT 0,
  stage_id TEXT,
  owner_id TEXT,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  date_identified INTEGER,
  last_active INTEGER,
  firstname_key TEXT,                 -- fold(firstname), kept by Go: search and sort
  lastname_key TEXT,                  -- fold(lastname)
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX contacts_date_added ON contacts(date_added, id) WHERE deleted = 0;
CREATE INDEX contacts_date_modified ON contacts(date_modified, id) WHERE deleted = 0;
CREATE INDEX contacts_last_active ON contacts(coalesce(last_active, 0), id) WHERE deleted = 0;
CREATE INDEX contacts_email ON contacts(coalesce(email, '') COLLATE NOCASE, id) WHERE deleted = 0;
CREATE INDEX contacts_email_lookup ON contacts(email) WHERE deleted = 0;
CREATE INDEX contacts_firstname ON contacts(coalesce(firstname_key, ''), id) WHERE deleted = 0;
CREATE INDEX contacts_lastname ON contacts(coalesce(lastname_key, ''), id) WHERE deleted = 0;
CREATE INDEX contacts_company ON contacts(coalesce(company, '') COLLATE NOCASE, id) WHERE deleted = 0;
CREATE INDEX contacts_city ON contacts(coalesce(city, '') COLLATE NOCASE, id) WHERE deleted = 0;
CREATE INDEX contacts_country ON contacts(coalesce(country, '') COLLATE NOCASE, id) WHERE deleted = 0;
CREATE INDEX contacts_points ON contacts(points, id) WHERE deleted = 0;
CREATE INDEX contacts_deleted ON contacts(deleted_at) WHERE deleted = 1;

CREATE TABLE companies(
  id TEXT PRIMARY KEY,
  companyname TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  companyemail TEXT COLLATE NOCASE,
  companyaddress1 TEXT COLLATE NOCASE,
  companyaddress2 TEXT COLLATE NOCASE,
  companyphone TEXT COLLATE NOCASE,
  companycity TEXT COLLATE NOCASE,
  companystate TEXT COLLATE NOCASE,
  companyzipcode TEXT COLLATE NOCASE,
  companycountry TEXT COLLATE NOCASE,
  companywebsite TEXT COLLATE NOCASE,
  companynumber_of_employees REAL,
  companyfax TEXT COLLATE NOCASE,
  companyannual_revenue REAL,
  companyindustry TEXT COLLATE NOCASE,
  companydescription TEXT COLLATE NOCASE,
  score INTEGER NOT NULL DEFAULT 0,
  owner_id TEXT,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  name_key TEXT,                      -- fold(companyname)
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX companies_name ON companies(coalesce(name_key, ''), id) WHERE deleted = 0;
CREATE INDEX companies_name_lookup ON companies(name_key) WHERE deleted = 0;
CREATE INDEX companies_deleted ON companies(deleted_at) WHERE deleted = 1;
CREATE INDEX companies_date_added ON companies(date_added, id) WHERE deleted = 0;

-- Contact <-> company links; id = ids.Derived("company_contact", contact, company).
CREATE TABLE company_contacts(
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  is_primary INTEGER NOT NULL DEFAULT 0,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX company_contacts_contact ON company_contacts(contact_id, company_id) WHERE deleted = 0;
CREATE INDEX company_contacts_company ON company_contacts(company_id, contact_id) WHERE deleted = 0;

-- Tags; id = ids.Derived("tag", fold(name)), so the same tag made offline twice is one row.
CREATE TABLE tags(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX tags_name ON tags(name) WHERE deleted = 0;

-- id = ids.Derived("contact_tag", contact, tag).
CREATE TABLE contact_tags(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  tag_id TEXT NOT NULL,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX contact_tags_contact ON contact_tags(contact_id, tag_id) WHERE deleted = 0;
CREATE INDEX contact_tags_tag ON contact_tags(tag_id, contact_id) WHERE deleted = 0;

-- Do not contact, one row per contact and channel; id = ids.Derived("dnc", contact, channel).
-- reason: 1 unsubscribed, 2 bounced, 3 manual (Mautic's codes).
CREATE TABLE dnc(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  reason INTEGER NOT NULL,
  channel_id TEXT,
  comments TEXT,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX dnc_contact ON dnc(contact_id, channel) WHERE deleted = 0;
CREATE INDEX dnc_channel_reason ON dnc(channel, reason, contact_id) WHERE deleted = 0;

CREATE TABLE notes(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'general',   -- general | email | call | meeting
  text TEXT NOT NULL,
  at INTEGER NOT NULL,
  date_added INTEGER NOT NULL,
  date_modified INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX notes_contact ON notes(contact_id, at) WHERE deleted = 0;

-- The append-only behaviour log: one row per thing that happened to a contact. Never
-- updated; id is the idempotency key (hit id, send id...). Replicates by its own cursor.
CREATE TABLE events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  contact_id TEXT NOT NULL,
  type TEXT NOT NULL,                  -- page.hit, email.sent, email.read, contact.created ...
  at INTEGER NOT NULL,
  object_id TEXT,                      -- email, asset, form, segment, campaign id
  object_name TEXT,
  url TEXT COLLATE NOCASE,
  title TEXT,
  referrer TEXT COLLATE NOCASE,
  source TEXT,                         -- what produced it: import, ui, tracker, campaign ...
  data TEXT                            -- JSON details
);
CREATE INDEX events_contact ON events(contact_id, at);
CREATE INDEX events_type ON events(type, at);

-- Durable work: campaign steps, sends, rebuilds, imports, exports. A job is claimed by
-- setting state = running with a lease; a crash leaves it to be picked up again.
CREATE TABLE jobs(
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  dedupe_key TEXT UNIQUE,
  payload TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'queued', -- queued | running | done | failed | canceled
  run_at INTEGER NOT NULL,
  lease_until INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  result TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, run_at);
CREATE INDEX jobs_kind ON jobs(kind, created_at);

-- CSV imports: resumable from the byte offset committed with each batch.
CREATE TABLE imports(
  id TEXT PRIMARY KEY,
  object TEXT NOT NULL DEFAULT 'contact',
  file_path TEXT NOT NULL,
  file_name TEXT NOT NULL,
  file_size INTEGER NOT NULL,
  status TEXT NOT NULL,                 -- queued | running | done | failed | canceled
  options TEXT NOT NULL,                -- JSON: delimiter, encoding, mapping, tags, update mode
  offset_bytes INTEGER NOT NULL DEFAULT 0,
  line INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  ignored INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER,
  finished_at INTEGER,
  error TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE import_errors(
  import_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT,
  PRIMARY KEY(import_id, line)
);
