-- Leaner event rows (issue 4, desktop ingest): a page hit stored its ≈ 110-byte User-Agent
-- text in every row, although a site sees a few hundred distinct ones. New rows name it by
-- id in this dictionary (events.ua_id) and leave events.user_agent NULL; rows stored before
-- keep their text. The timeline reads coalesce(user_agent, dictionary) (events.List); the
-- parsed device columns stay on the row (reports and segments read them).
CREATE TABLE user_agents(
  id INTEGER PRIMARY KEY,
  ua TEXT NOT NULL UNIQUE
);
ALTER TABLE events ADD COLUMN ua_id INTEGER;
