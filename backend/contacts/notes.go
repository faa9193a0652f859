// Notes on a contact.

package contacts

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// AddNote adds a note to a contact.
func (s *Service) AddNote(ctx context.Context, contactID, typ, text string) (Note, error) {
	typ = normalizeNoteType(typ)
	text = strings.TrimSpace(text)
	if text == "" {
		return Note{}, apperr.FieldErrors(map[string]string{"text": "contacts.errors.noteEmpty"}, map[string]string{"text": "a note needs text"})
	}
	n := Note{ID: ids.New(), ContactID: contactID, Type: typ, Text: text}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var one int
		if err := tx.QueryRow("SELECT 1 FROM contacts WHERE id = ? AND deleted = 0", contactID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return wrapNotFound(ErrNotFound, contactID)
			}
			return err
		}
		n.At = tx.Now()
		return tx.Insert("notes", n.ID, db.Cols{"contact_id": contactID, "type": typ, "text": text,
			"at": tx.NowMs(), "date_added": tx.NowMs(), "date_modified": tx.NowMs()})
	})
	return n, err
}

// EditNote changes a note's text and type.
func (s *Service) EditNote(ctx context.Context, id, typ, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return apperr.FieldErrors(map[string]string{"text": "contacts.errors.noteEmpty"}, map[string]string{"text": "a note needs text"})
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		ok, err := tx.Update("notes", id, db.Cols{"type": normalizeNoteType(typ), "text": text, "date_modified": tx.NowMs()})
		if err == nil && !ok {
			err = apperr.NotFoundf("contacts.errors.noteNotFound", nil, "no note %s", id)
		}
		return err
	})
}

// DeleteNote moves a note to the trash.
func (s *Service) DeleteNote(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Delete("notes", id)
		return err
	})
}

func normalizeNoteType(t string) string {
	switch t {
	case "email", "call", "meeting":
		return t
	}
	return "general"
}
