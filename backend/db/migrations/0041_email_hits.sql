-- Tracker hits already counted in the email statistics (CountHit is idempotent per hit, so a
-- batch ingested again after a crash or by a second ingester never counts twice).
CREATE TABLE email_counted_hits(
  hit_id TEXT PRIMARY KEY
) WITHOUT ROWID;
