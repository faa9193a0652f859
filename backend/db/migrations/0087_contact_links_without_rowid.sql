-- Contact <-> tag and contact <-> company links keyed by their id alone (WITHOUT ROWID):
-- a link was four B-tree entries (the rowid table, the id's unique index, the two lookup
-- indexes), now three. The id stays the sync key (teamsync writes and finds rows by id);
-- nothing reads a link's rowid. Same columns, same lookup indexes, rows copied as they are.
CREATE TABLE contact_tags_new(
  id TEXT PRIMARY KEY,
  contact_id TEXT NOT NULL,
  tag_id TEXT NOT NULL,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
) WITHOUT ROWID;
INSERT INTO contact_tags_new(id, contact_id, tag_id, date_added, deleted, deleted_at)
  SELECT id, contact_id, tag_id, date_added, deleted, deleted_at FROM contact_tags;
DROP TABLE contact_tags;
ALTER TABLE contact_tags_new RENAME TO contact_tags;
CREATE INDEX contact_tags_contact ON contact_tags(contact_id, tag_id) WHERE deleted = 0;
CREATE INDEX contact_tags_tag ON contact_tags(tag_id, contact_id) WHERE deleted = 0;

CREATE TABLE company_contacts_new(
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  is_primary INTEGER NOT NULL DEFAULT 0,
  date_added INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
) WITHOUT ROWID;
INSERT INTO company_contacts_new(id, company_id, contact_id, is_primary, date_added, deleted, deleted_at)
  SELECT id, company_id, contact_id, is_primary, date_added, deleted, deleted_at FROM company_contacts;
DROP TABLE company_contacts;
ALTER TABLE company_contacts_new RENAME TO company_contacts;
CREATE INDEX company_contacts_contact ON company_contacts(contact_id, company_id) WHERE deleted = 0;
CREATE INDEX company_contacts_company ON company_contacts(company_id, contact_id) WHERE deleted = 0;
