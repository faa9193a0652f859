package events

import (
	"database/sql"
	"errors"

	"magpie/backend/db"
)

// uaKey keys the transaction's cache of user-agent ids (tx.Local).
type uaKey struct{}

// uaID returns the id of ua in the user_agents dictionary (migration 0082), adding it
// when new; nil for an empty user agent. Ids are cached for the transaction only: an id
// added by a transaction that rolls back must not outlive it.
func uaID(tx *db.Tx, ua string) (any, error) {
	if ua == "" {
		return nil, nil
	}
	m, _ := tx.Local(uaKey{}).(map[string]int64)
	if m == nil {
		m = map[string]int64{}
		tx.SetLocal(uaKey{}, m)
	}
	if id, ok := m[ua]; ok {
		return id, nil
	}
	var id int64
	err := tx.QueryRow(`SELECT id FROM user_agents WHERE ua = ?`, ua).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRow(`INSERT INTO user_agents(ua) VALUES(?) RETURNING id`, ua).Scan(&id)
	}
	if err != nil {
		return nil, err
	}
	m[ua] = id
	return id, nil
}
