-- Behaviour data for segment filters and tracking: device, user agent and UTM columns on
-- the event log, and per-contact aggregates kept by events.Append in the same transaction
-- as the event, so behaviour filters read small indexed tables instead of scanning the log.

ALTER TABLE events ADD COLUMN user_agent TEXT;
ALTER TABLE events ADD COLUMN device_type TEXT COLLATE NOCASE;   -- desktop | mobile | tablet | bot
ALTER TABLE events ADD COLUMN device_os TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN device_browser TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN device_brand TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN utm_source TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN utm_medium TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN utm_campaign TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN utm_content TEXT COLLATE NOCASE;
ALTER TABLE events ADD COLUMN utm_term TEXT COLLATE NOCASE;

-- Behaviour look-ups: "which contacts read email X", "hits after date D" for one contact.
CREATE INDEX events_type_object ON events(type, object_id, contact_id);
CREATE INDEX events_contact_type ON events(contact_id, type, at);

-- Per-contact counters. hits = page hits + tracked clicks (Mautic's page_hits incl.
-- redirects); sessions = page hits with no earlier page hit in the preceding 30 minutes.
CREATE TABLE contact_stats(
  contact_id TEXT PRIMARY KEY,
  hits INTEGER NOT NULL DEFAULT 0,
  page_hits INTEGER NOT NULL DEFAULT 0,
  sessions INTEGER NOT NULL DEFAULT 0,
  first_hit_at INTEGER,
  last_hit_at INTEGER,            -- last page hit (sessions rule)
  emails_sent INTEGER NOT NULL DEFAULT 0,
  emails_read INTEGER NOT NULL DEFAULT 0,   -- read events = Mautic's SUM(open_count)
  emails_clicked INTEGER NOT NULL DEFAULT 0,
  downloads INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX contact_stats_hits ON contact_stats(hits, contact_id);
CREATE INDEX contact_stats_sessions ON contact_stats(sessions, contact_id);
CREATE INDEX contact_stats_reads ON contact_stats(emails_read, contact_id);

-- Distinct URLs seen in hits; URL filters scan this (small) table, then join by id.
CREATE TABLE urls(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE COLLATE NOCASE
);

-- Which contact hit which URL (url_id 0 = a hit without URL), how often, when.
CREATE TABLE contact_urls(
  url_id INTEGER NOT NULL,
  contact_id TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY(url_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_urls_contact ON contact_urls(contact_id, url_id);

-- Devices seen per contact ('' = unknown part), as Mautic's lead_devices.
CREATE TABLE contact_devices(
  contact_id TEXT NOT NULL,
  device_type TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  device_os TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  device_browser TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  device_brand TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(contact_id, device_type, device_os, device_browser, device_brand)
) WITHOUT ROWID;
CREATE INDEX contact_devices_type ON contact_devices(device_type, contact_id);
CREATE INDEX contact_devices_os ON contact_devices(device_os, contact_id);
CREATE INDEX contact_devices_brand ON contact_devices(device_brand, contact_id);
CREATE INDEX contact_devices_browser ON contact_devices(device_browser, contact_id);

-- UTM tag sets seen per contact ('' = absent), as Mautic's lead_utmtags.
CREATE TABLE contact_utm(
  contact_id TEXT NOT NULL,
  utm_source TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  utm_medium TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  utm_campaign TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  utm_content TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  utm_term TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(contact_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
) WITHOUT ROWID;
CREATE INDEX contact_utm_source ON contact_utm(utm_source, contact_id);
CREATE INDEX contact_utm_medium ON contact_utm(utm_medium, contact_id);
CREATE INDEX contact_utm_campaign ON contact_utm(utm_campaign, contact_id);

-- Backfill from events stored before this migration.
INSERT INTO urls(url) SELECT DISTINCT url FROM events
  WHERE type IN ('page.hit', 'email.clicked') AND url IS NOT NULL AND url <> '';
INSERT INTO contact_urls(url_id, contact_id, n, first_at, last_at)
  SELECT coalesce(u.id, 0), e.contact_id, count(*), min(e.at), max(e.at)
  FROM events e LEFT JOIN urls u ON u.url = e.url
  WHERE e.type IN ('page.hit', 'email.clicked')
  GROUP BY coalesce(u.id, 0), e.contact_id;
INSERT INTO contact_stats(contact_id, hits, page_hits, sessions, first_hit_at, last_hit_at,
    emails_sent, emails_read, emails_clicked, downloads)
  SELECT contact_id,
    sum(type IN ('page.hit', 'email.clicked')), sum(type = 'page.hit'),
    sum(type = 'page.hit' AND (prev IS NULL OR at - prev > 1800000)),
    min(CASE WHEN type IN ('page.hit', 'email.clicked') THEN at END),
    max(CASE WHEN type = 'page.hit' THEN at END),
    sum(type = 'email.sent'), sum(type = 'email.read'), sum(type = 'email.clicked'),
    sum(type = 'asset.downloaded')
  FROM (SELECT contact_id, type, at,
          CASE WHEN type = 'page.hit' THEN lag(at) OVER (PARTITION BY contact_id, type = 'page.hit' ORDER BY at) END AS prev
        FROM events
        WHERE type IN ('page.hit', 'email.clicked', 'email.sent', 'email.read', 'asset.downloaded'))
  GROUP BY contact_id;
