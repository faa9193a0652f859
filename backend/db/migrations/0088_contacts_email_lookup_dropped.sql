-- Issue 2 (seed, import): contacts had two indexes on the email, contacts_email_lookup
-- (email) for exact look-ups and contacts_email (lower(coalesce(email, '')), id, deleted)
-- for the grid's sort and search. Every exact look-up now reads contacts_email as
-- lower(coalesce(email, '')) = lower(?) AND email = ? (contacts.EmailIs): SQLite's lower()
-- and the column's NOCASE both fold ASCII letters only, so the same rows. One random
-- B-tree insert less per new contact and one index less to rebuild after a bulk load.
-- The plans of every reader are checked (contacts' TestEmailLookupPlans).
DROP INDEX IF EXISTS contacts_email_lookup;
