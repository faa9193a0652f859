-- events_type_url_at serves one reader: the reports' page hits grouped by URL (migration
-- 0066), whose source's WHERE is `e.type = 'page.hit'`. Every other event — lifecycle,
-- emails, tags, points, most of the log outside tracking — was written into it too. The
-- index now holds page hits only: one B-tree insert less for each of those events (a
-- campaign writes three per contact) and a much smaller sort when a bulk load rebuilds it.
-- SQLite uses a partial index only when the query's WHERE implies the index's; the hits
-- source's `e.type = 'page.hit'` is the same term (checked in backend/events/plan_test.go).
DROP INDEX IF EXISTS events_type_url_at;
CREATE INDEX events_type_url_at ON events(type, url, at) WHERE type = 'page.hit';
