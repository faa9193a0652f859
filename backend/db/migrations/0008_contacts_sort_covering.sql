-- The contact grid's sort indexes on expressions become covering. SQLite does not treat a
-- partial index on an expression (WHERE deleted = 0) as covering unless the partial
-- index's column is in it, so every row a deep page skipped (OFFSET) or a name search
-- matched cost a table lookup: a jump to the middle of 1M contacts sorted by email took
-- seconds on a cold cache. The same indexes with `deleted` appended are covering (checked
-- with EXPLAIN QUERY PLAN: "USING COVERING INDEX"). Text keys use lower(expr) instead of
-- "expr COLLATE NOCASE" (the same order: both fold ASCII only): SQLite does not seek a
-- COLLATE expression index for the keyset row value "(key, id) < (?, ?)", so a page after
-- a cached anchor walked the index from the top. Index names are kept.
-- Index definitions are local (not synced): replacing them loses no data.
DROP INDEX IF EXISTS contacts_last_active;
CREATE INDEX contacts_last_active ON contacts(coalesce(last_active, 0), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_email;
CREATE INDEX contacts_email ON contacts(lower(coalesce(email, '')), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_firstname;
CREATE INDEX contacts_firstname ON contacts(coalesce(firstname_key, ''), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_lastname;
CREATE INDEX contacts_lastname ON contacts(coalesce(lastname_key, ''), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_company;
CREATE INDEX contacts_company ON contacts(lower(coalesce(company, '')), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_city;
CREATE INDEX contacts_city ON contacts(lower(coalesce(city, '')), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS contacts_country;
CREATE INDEX contacts_country ON contacts(lower(coalesce(country, '')), id, deleted) WHERE deleted = 0;
DROP INDEX IF EXISTS companies_name;
CREATE INDEX companies_name ON companies(coalesce(name_key, ''), id, deleted) WHERE deleted = 0;
