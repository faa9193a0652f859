package apperr

import "testing"

// A field error's message names every bad field with its reason, in a stable order.
func TestFieldErrorsMessage(t *testing.T) {
	cases := []struct {
		msgs map[string]string
		want string
	}{
		{nil, "some fields are invalid"},
		{map[string]string{"birthday": "not a date"}, "birthday: not a date"},
		{map[string]string{"tier": "not one of the choices", "birthday": "not a date", "age": "not a number"},
			"age: not a number; birthday: not a date; tier: not one of the choices"},
	}
	for _, c := range cases {
		for i := 0; i < 5; i++ { // map order varies between runs
			keys := map[string]string{}
			for f := range c.msgs {
				keys[f] = "fields.errors.x"
			}
			e := FieldErrors(keys, c.msgs)
			if e.Msg != c.want || len(e.Fields) != len(c.msgs) || e.Code != Invalid {
				t.Fatalf("FieldErrors(%v) = %q (%d fields), want %q", c.msgs, e.Msg, len(e.Fields), c.want)
			}
		}
	}
}
