-- Landing page A/B auto-winner (issue 9): on a page with variants, the criterion to judge them
-- by ('conversions' = form submissions per visitor, 'bounce' = lowest bounce rate; NULL = no
-- automatic winner), how many hours after the last variant joined to decide, and the decision
-- (the winning page, served alone from then on, and when it was made).
ALTER TABLE pages ADD COLUMN ab_criteria TEXT;
ALTER TABLE pages ADD COLUMN ab_hours INTEGER;
ALTER TABLE pages ADD COLUMN ab_winner_id TEXT;
ALTER TABLE pages ADD COLUMN ab_decided_at INTEGER;
