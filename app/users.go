package app

import "magpie/backend/users"

// Users are the team's members: the owners contacts are assigned to.
type Users struct{ s *Shell }

// List returns the members (the trash when trash is true).
func (a *Users) List(trash bool) ([]users.User, error) {
	return a.s.core.Users.List(a.s.context(), trash)
}

// Save adds or edits a member (a name; an email address, unique, when given).
func (a *Users) Save(u users.User) (users.User, error) { return a.s.core.Users.Save(a.s.context(), u) }

// Delete moves a member to the trash.
func (a *Users) Delete(id string) error { return a.s.core.Users.Delete(a.s.context(), id) }

// Restore takes a member out of the trash.
func (a *Users) Restore(id string) error { return a.s.core.Users.Restore(a.s.context(), id) }
