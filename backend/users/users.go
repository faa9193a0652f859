// Package users holds the team's members as Mautic knows them: the owners contacts are
// assigned to ({ownerfield=…} tokens, owner filters, the campaign's owner actions, points
// triggers that notify the owner). The table syncs with the team.
package users

import (
	"context"
	"database/sql"
	"net/mail"
	"strings"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// User is one team member.
type User struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	DeletedAt time.Time `json:"-"`
}

// Service reads and writes users.
type Service struct{ db *db.DB }

// New returns the users service over d.
func New(d *db.DB) *Service { return &Service{db: d} }

func notFound(id string) error {
	return apperr.NotFoundf("users.errors.notFound", map[string]any{"id": id}, "no team member %q", id)
}

// List returns the members (the trash when trash is true), by name.
func (s *Service) List(ctx context.Context, trash bool) ([]User, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, coalesce(email, '') FROM users WHERE deleted = ? ORDER BY name, email, id`, trash)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Name, &u.Email); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Save validates and stores a member: a name, and an email address when given (two live
// members cannot share one).
func (s *Service) Save(ctx context.Context, u User) (User, error) {
	u.Name, u.Email = strings.TrimSpace(u.Name), strings.TrimSpace(u.Email)
	f, msgs := map[string]string{}, map[string]string{}
	if u.Name == "" {
		f["name"], msgs["name"] = "users.errors.nameRequired", "a name is required"
	}
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			f["email"], msgs["email"] = "users.errors.email", "not an email address"
		}
	}
	if len(f) > 0 {
		return User{}, apperr.FieldErrors(f, msgs)
	}
	if u.ID == "" {
		u.ID = ids.New()
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if u.Email != "" {
			var other string
			err := tx.QueryRow(`SELECT id FROM users WHERE email = ? AND id <> ? AND deleted = 0`, u.Email, u.ID).Scan(&other)
			if err == nil {
				return apperr.FieldErrors(map[string]string{"email": "users.errors.emailTaken"},
					map[string]string{"email": "another member has this email address"})
			}
			if err != sql.ErrNoRows {
				return err
			}
		}
		var email any
		if u.Email != "" {
			email = u.Email
		}
		cols := db.Cols{"name": u.Name, "email": email}
		ok, err := tx.Update("users", u.ID, cols)
		if err != nil || ok {
			return err
		}
		cols["date_added"] = tx.NowMs()
		return tx.Insert("users", u.ID, cols)
	})
	return u, err
}

// Delete moves a member to the trash (their contacts keep the owner id; restore brings
// the name back).
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.db.Trash(ctx, "users", id, true, notFound(id))
}

// Restore takes a member out of the trash.
func (s *Service) Restore(ctx context.Context, id string) error {
	return s.db.Trash(ctx, "users", id, false, notFound(id))
}
