-- Reports (issue 8): "most visited pages" groups page hits by URL. With this index the
-- GROUP BY walks URLs in order (no temporary B-tree over millions of hits) and the date
-- range is checked inside the index.
CREATE INDEX events_type_url_at ON events(type, url, at);
