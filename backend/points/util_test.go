package points_test

import "magpie/backend/apperr"

func errAs(err error) (*apperr.Error, bool) { return apperr.As(err) }
