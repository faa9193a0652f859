package fields

import "magpie/backend/db"

// ListTx returns the live fields of obj (fixed ones first) read inside a write transaction,
// for hooks that run in one (a form submission writing company fields).
func ListTx(tx *db.Tx, obj Object) ([]Field, error) {
	out := append([]Field(nil), Core(obj)...)
	rows, err := tx.Query(selectFields+" WHERE deleted = 0 AND object = ? ORDER BY position, alias", string(obj))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		f, _, err := scanField(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
