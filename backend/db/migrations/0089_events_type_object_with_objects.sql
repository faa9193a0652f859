-- Fewer B-tree entries per event (branch evdiet). events_type_object(type, object_id,
-- contact_id) serves reads by object (`object_id = ?`, `object_id IN (…)`, which imply
-- `object_id IS NOT NULL`) and the reports' summaries grouped by email, form or asset, which
-- count the events without an object as a group of their own and add the condition
-- literally (events.ObjectIndexWhere). Since 0084 it left out only page hits without an
-- object; now every event without an object is left out but those of the types grouped by
-- object: contact.created and contact.identified (1.95M of a 1M seed's 2.75M entries), a
-- campaign's points changes, tag, segment and DNC events without one. The condition is an
-- OR of equalities, not `type IN (…)`: SQLite evaluates a list of more than two values
-- through a temporary index, one probe per row (rebuilding the index over a 1M seed's 4M
-- events took 4.0 s with it against 2.0–2.8 s; docs/BENCHMARKS.md). The readers' plans are
-- checked in backend/events/plan_test.go.
DROP INDEX IF EXISTS events_type_object;
CREATE INDEX events_type_object ON events(type, object_id, contact_id) WHERE (object_id IS NOT NULL OR type = 'email.sent' OR type = 'email.read' OR type = 'email.clicked' OR type = 'email.failed' OR type = 'form.submitted' OR type = 'asset.downloaded');
