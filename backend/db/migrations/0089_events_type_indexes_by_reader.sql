-- Fewer B-tree entries per event (branch evdiet): the two by-type indexes of the log now
-- hold only the events something reads through them (the readers and their plans:
-- backend/events/indexes.go, checked in backend/events/plan_test.go).
--
-- events_type(type, at) serves reads by type and date without a contact: reports (email
-- events, page hits, forms, assets, points log, stage log, campaign events), the dashboard's
-- refold, segment filters compiled for a scan, landing-page stats. Nothing reads
-- contact.created / identified / imported that way (one or two per contact: 1.95M of a 1M
-- seed's log, every event of an import), nor tag, DNC, company, segment, focus, DWC and
-- preference events: they are left out. The condition is an OR of equalities, so a query's
-- `type = 'x'` (or `type = ?`, SQLite re-preparing for the bound value) implies it; a query
-- with `type IN (…)` adds it literally (events.TypeIndexWhere).
DROP INDEX IF EXISTS events_type;
CREATE INDEX events_type ON events(type, at) WHERE (type = 'page.hit' OR type = 'email.sent' OR type = 'email.read' OR type = 'email.clicked' OR type = 'email.failed' OR type = 'form.submitted' OR type = 'asset.downloaded' OR type = 'points.changed' OR type = 'stage.changed' OR type = 'campaign.event');
-- events_type_object(type, object_id, contact_id) serves reads by object (`object_id = ?`,
-- `object_id IN (…)`, which imply `object_id IS NOT NULL`) and the reports' summaries
-- grouped by email, form or asset, which count the events without an object as a group of
-- their own and add the condition literally (events.ObjectIndexWhere). Events without an
-- object of any other type are left out: contact.created / identified (a seed's 1.95M),
-- page hits of no landing page (as in 0084), a campaign's points changes. Both conditions
-- are ORs of equalities, not `type IN (…)`: SQLite evaluates a list of more than two values
-- through a temporary index, one probe per row (a rebuild over a 1M seed's 4M events took
-- 4.0 s with it against 2.0–2.8 s; docs/BENCHMARKS.md).
DROP INDEX IF EXISTS events_type_object;
CREATE INDEX events_type_object ON events(type, object_id, contact_id) WHERE (object_id IS NOT NULL OR type = 'email.sent' OR type = 'email.read' OR type = 'email.clicked' OR type = 'email.failed' OR type = 'form.submitted' OR type = 'asset.downloaded');
