-- Dashboard: contacts by country over a date range without reading every contact of the
-- range: the distinct countries are skipped through by index seeks, then each country's
-- contacts of the range are one index range count.
CREATE INDEX dash_contacts_country ON contacts(coalesce(country, '') COLLATE NOCASE, date_added) WHERE deleted = 0;
