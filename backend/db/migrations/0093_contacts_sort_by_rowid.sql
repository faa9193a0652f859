-- Issue 2 (import, every contact write): the contacts grid's sort and search indexes, and
-- the companies' name and date indexes, no longer carry the 36-byte UUID text id: every
-- entry of an index on a rowid table already ends with the row's rowid (8 bytes at most),
-- and backend/listing now orders pages by (key, rowid) and loads them by rowid. On a 1M
-- contacts store the file is 395 MB smaller after an import (2,369 → 1,974 MB) and 383 MB
-- after a seed; rebuilding these 11 contacts indexes takes 6.6–6.8 s instead of 8.6–9.0.
--
-- Plain-column keys: (key) WHERE deleted = 0 is covering and ordered by (key, rowid).
-- Expression keys: SQLite treats a partial expression index as covering only when the
-- partial index's column is in it (migration 0008), and walks it in (key, rowid) order
-- only when that column is an equality on the index's leading column: (deleted, key).
-- With a plain leading `deleted`, though, every query with `deleted = 0` could seek it as
-- `deleted=?` — which SQLite, without ANALYZE statistics, estimates at ~10 rows — and it
-- did (an export's date_added keyset, a look-up ordered by date_added, a filter on an
-- unindexed column all walked contacts_country with a table read per contact). So the
-- leading column is `deleted COLLATE NOCASE`: an equality matches it only with the same
-- collation, `deleted = 0 COLLATE NOCASE` (the same rows: deleted is an INTEGER, which no
-- collation affects), which only the readers that mean to seek these indexes write
-- (listing, contacts' search and email look-ups). An integer 0/1 costs no payload byte.
-- The stored sparse anchors name text ids: dropped (the grid's next warm-up rebuilds them).
-- This migration rebuilds the indexes at the first open after the upgrade: 13.6 / 13.5 s
-- (10.4 / 11.3 s CPU) for a 1M imported store (docs/BENCHMARKS.md § "Contacts' indexes
-- keyed on rowid"); the pages freed stay in the file until `magpie db compact`.
-- Index definitions and listing_sparse are local (not synced): replacing them loses no data.
DROP INDEX IF EXISTS contacts_date_added;
CREATE INDEX contacts_date_added ON contacts(date_added) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_date_modified;
CREATE INDEX contacts_date_modified ON contacts(date_modified) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_last_active;
CREATE INDEX contacts_last_active ON contacts(deleted COLLATE NOCASE, coalesce(last_active, 0)) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_email;
CREATE INDEX contacts_email ON contacts(deleted COLLATE NOCASE, lower(coalesce(email, ''))) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_firstname;
CREATE INDEX contacts_firstname ON contacts(deleted COLLATE NOCASE, coalesce(firstname_key, '')) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_lastname;
CREATE INDEX contacts_lastname ON contacts(deleted COLLATE NOCASE, coalesce(lastname_key, '')) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_company;
CREATE INDEX contacts_company ON contacts(deleted COLLATE NOCASE, lower(coalesce(company, ''))) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_city;
CREATE INDEX contacts_city ON contacts(deleted COLLATE NOCASE, lower(coalesce(city, ''))) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_country;
CREATE INDEX contacts_country ON contacts(deleted COLLATE NOCASE, lower(coalesce(country, ''))) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_points;
CREATE INDEX contacts_points ON contacts(points) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_trash_sort;
CREATE INDEX contacts_trash_sort ON contacts(deleted COLLATE NOCASE, coalesce(deleted_at, 0)) WHERE deleted = 1;
DROP INDEX IF EXISTS companies_name;
CREATE INDEX companies_name ON companies(deleted COLLATE NOCASE, coalesce(name_key, '')) WHERE deleted = 0;
DROP INDEX IF EXISTS companies_date_added;
CREATE INDEX companies_date_added ON companies(date_added) WHERE deleted = 0;
DELETE FROM listing_sparse;
