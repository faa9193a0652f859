package contacts

import (
	"context"
	"database/sql"
	"errors"

	"magpie/backend/db"
	"magpie/backend/listing"
)

// sparseStore keeps the grid's sparse anchor indexes in listing_sparse (migration 0019),
// valid while contacts_order_gen — bumped by triggers in every transaction that inserts,
// deletes, trashes or restores a contact ('*') or changes a sort column (its sort's row) —
// has not moved since the index was built.
type sparseStore struct{ db *db.DB }

// orderGenKey maps a sort key expression to its generation row (the trash order moves
// only with '*').
var orderGenKey = func() map[string]string {
	m := map[string]string{}
	for name, key := range Sorts {
		m[key] = name
	}
	return m
}()

const genSQL = "SELECT coalesce(sum(gen), 0) FROM contacts_order_gen WHERE k IN ('*', ?)"

func (p sparseStore) Gen(ctx context.Context, r *sql.DB, key string) (int64, error) {
	var g int64
	err := r.QueryRowContext(ctx, genSQL, orderGenKey[key]).Scan(&g)
	return g, err
}

func (p sparseStore) Load(ctx context.Context, r *sql.DB, sig, key string) (listing.Stored, int64, bool, error) {
	var st listing.Stored
	var cur int64
	// One statement, one snapshot: the stored index and the current generation agree.
	err := r.QueryRowContext(ctx, "SELECT gen, n, anchors, ("+genSQL+") FROM listing_sparse WHERE sig = ?",
		orderGenKey[key], sig).Scan(&st.Gen, &st.N, &st.Anchors, &cur)
	if errors.Is(err, sql.ErrNoRows) {
		return st, 0, false, nil
	}
	if err != nil {
		return st, 0, false, err
	}
	return st, cur, true, nil
}

func (p sparseStore) Save(ctx context.Context, sig string, x listing.Stored) error {
	return p.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec("INSERT OR REPLACE INTO listing_sparse(sig, gen, n, anchors) VALUES (?, ?, ?, ?)", sig, x.Gen, x.N, x.Anchors)
		return err
	})
}
