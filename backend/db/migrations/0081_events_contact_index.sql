-- Tracking ingest (issue 4): every event row was written into seven B-trees, three of them
-- at random positions (keys starting with hashed visitor ids). events_contact(contact_id,
-- at) is redundant with events_contact_type(contact_id, type, at): every query of the log
-- by contact names its event types (timeline, points, dashboard first-of-day, sessions
-- recount, segment behaviour filters, landing-page A/B bounce, merges) and is served by the
-- latter, as EXPLAIN QUERY PLAN shows (docs/BENCHMARKS.md § Tracking, desktop ingest). One
-- random index insert less per event.
DROP INDEX IF EXISTS events_contact;
