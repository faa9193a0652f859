// Package contacts manages contacts: field values (core and custom), identification
// (anonymous visitor vs identified), tags, do-not-contact, notes, company links, points, and
// the contact list with search and paging over millions of rows.
//
// Invariants:
//   - every write goes through db.Tx (the sync-recorded write path) and appends the matching
//     event to the behaviour log in the same transaction;
//   - the contact's "company" field mirrors the name of its primary company;
//   - date_identified is set the first time a contact stops being anonymous (Mautic's rule:
//     anonymous = no first name, last name, company, email or social handle);
//   - deletes are tombstones (the trash) and can be restored.
package contacts
