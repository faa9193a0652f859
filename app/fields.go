package app

import "magpie/backend/fields"

// Fields is the custom field manager and the field catalogue the editors use.
type Fields struct{ s *Shell }

// List returns the fields of object ("contact" or "company"): core then custom.
func (a *Fields) List(object string) ([]fields.Field, error) {
	return a.s.core.Fields.List(a.s.context(), fields.Object(object))
}

// Add creates a custom field.
func (a *Fields) Add(in fields.Input) (fields.Field, error) {
	return a.s.core.Fields.Add(a.s.context(), in)
}

// Update edits a custom field.
func (a *Fields) Update(in fields.Input) (fields.Field, error) {
	return a.s.core.Fields.Update(a.s.context(), in)
}

// Delete moves a custom field to the trash (its values are kept).
func (a *Fields) Delete(object string, alias string) error {
	return a.s.core.Fields.Delete(a.s.context(), fields.Object(object), alias)
}

// Restore brings a deleted custom field back with its values.
func (a *Fields) Restore(object string, alias string) error {
	return a.s.core.Fields.Restore(a.s.context(), fields.Object(object), alias)
}

// Types lists the field types in UI order.
func (a *Fields) Types() []string {
	out := make([]string, len(fields.Types))
	for i, t := range fields.Types {
		out[i] = string(t)
	}
	return out
}

// Countries lists the countries (English and French names).
func (a *Fields) Countries() []fields.CountryInfo { return fields.Countries() }
