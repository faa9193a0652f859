-- The send queue's contact index holds sent rows only (branch camp6). Its one reader is the
-- frequency rules' count of a contact's recent sends (emails.recentSendsSQL), which asks for
-- state = 'sent'; campaigns look a contact's sends up by (email_id, contact_id), the unique
-- key. A queued row (one per contact of a campaign's "send email" step) now writes four
-- B-tree entries instead of five and enters this index when it is sent.
DROP INDEX IF EXISTS email_sends_contact;
CREATE INDEX email_sends_contact ON email_sends(contact_id, sent_at) WHERE state = 'sent';
