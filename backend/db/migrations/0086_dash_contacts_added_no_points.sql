-- dash_contacts_added (0068) carried points, so every points change — a campaign step, a
-- point action, a trigger — deleted and re-inserted the contact's entry in it besides the
-- ones in contacts_points and contacts_date_modified, though only a change of points band
-- matters to the dashboard (and marks the day: dash_contacts_upd). Its readers that need
-- points (the recount of a marked day, the live points funnel before the rollup is ready)
-- read them from the contact's row: the index still gives the day's rows in order.
-- Measured in docs/BENCHMARKS.md § Campaigns (round 2026-12-06, branch camp).
DROP INDEX IF EXISTS dash_contacts_added;
CREATE INDEX dash_contacts_added ON contacts(date_added, date_identified, country, stage_id) WHERE deleted = 0;
