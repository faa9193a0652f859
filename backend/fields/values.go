package fields

import (
	"context"
	"errors"
	"fmt"

	"magpie/backend/apperr"
	"magpie/backend/db"
)

// ParseValues validates raw user values (by field alias) against the fields of obj and
// returns the stored values ("" becomes nil = clear), or one error naming every bad field:
// unknown and read-only (system) fields, and values their type refuses.
func (s *Service) ParseValues(ctx context.Context, obj Object, raw map[string]string, opt ParseOptions) (db.Cols, error) {
	fs, err := s.List(ctx, obj)
	if err != nil {
		return nil, err
	}
	byAlias := make(map[string]Field, len(fs))
	for _, f := range fs {
		byAlias[f.Alias] = f
	}
	cols := db.Cols{}
	errs, msgs := map[string]string{}, map[string]string{}
	for alias, v := range raw {
		f, ok := byAlias[alias]
		if !ok || f.System {
			errs[alias], msgs[alias] = "fields.errors.unknown", fmt.Sprintf("unknown or read-only field %q", alias)
			continue
		}
		val, err := f.Parse(v, opt)
		if err != nil {
			var ve *ValueError
			if errors.As(err, &ve) {
				errs[alias], msgs[alias] = ve.Key, ve.Msg
				continue
			}
			return nil, err
		}
		cols[alias] = val
	}
	if len(errs) > 0 {
		return nil, apperr.FieldErrors(errs, msgs)
	}
	return cols, nil
}
