-- Emails (issue 6, second pass): A/B test sample and winner, category subscriptions.

-- Percent of a segment email's recipients that receive the A/B test (split by weight); the
-- others wait for the winner. NULL or 0 = every recipient is in the test (Mautic's split).
ALTER TABLE emails ADD COLUMN ab_sample INTEGER;

-- Executor-local: when each root email was first sent (the A/B clock starts there) and the
-- winner once decided (rates as JSON, for the statistics screen). Decided once, in the same
-- transaction that releases the recipients held for the winner.
CREATE TABLE email_ab(
  email_id TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL,
  decided_at INTEGER,
  winner_id TEXT,
  criteria TEXT,
  rates TEXT
) WITHOUT ROWID;

-- Mautic's lead_categories: a contact's subscription to an email category (emails.category,
-- compared case-insensitively). manually_removed = 1 means "unsubscribed from this category":
-- marketing sends of emails in it are skipped. id = ids.Derived("contact_category", contact, fold(category)).
CREATE TABLE contact_categories(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  category TEXT NOT NULL COLLATE NOCASE,
  manually_added INTEGER NOT NULL DEFAULT 0,
  manually_removed INTEGER NOT NULL DEFAULT 0,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
);
CREATE INDEX contact_categories_contact ON contact_categories(contact_id, category) WHERE deleted = 0;
