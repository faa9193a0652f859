package contacts

import (
	"context"
	"fmt"

	"magpie/backend/db"
)

// In a side file (db.Scratch: the seed's and a fresh store's import) nobody reads the store
// while it is built, so the two per-row insert triggers on contacts — one UPDATE and one
// INSERT OR IGNORE for every contact — are dropped during the load and their effect is
// applied once at the end, set-based:
// contacts_order_ins bumps the grid's order generation (migration 0019), dash_contacts_ins
// marks each day that gained a contact for the dashboard's contacts rollup (0080).
// TestContactInsertTriggers fails when another insert trigger appears on contacts, so its
// owner decides how a bulk load applies it.
var contactInsertTriggers = map[string]string{
	"contacts_order_ins": `UPDATE contacts_order_gen SET gen = gen + 1 WHERE k = '*'`,
	"dash_contacts_ins":  `INSERT OR IGNORE INTO dash_cdirty(uday) SELECT DISTINCT date_added / 86400000 FROM contacts`,
}

// DeferInsertTriggers drops the known insert triggers of contacts and returns the function
// that applies their effect for every contact then stored and recreates them. Only for a
// side file (db.Scratch), which is thrown away if the load fails before that function ran.
func DeferInsertTriggers(ctx context.Context, d *db.DB) (func(context.Context) error, error) {
	var saved map[string]string
	err := d.Write(ctx, func(tx *db.Tx) (err error) {
		saved, err = dropInsertTriggers(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		return d.Write(ctx, func(tx *db.Tx) error { return restoreInsertTriggers(tx, saved) })
	}, nil
}

// DeferInsertTriggersIn is DeferInsertTriggers within one transaction of any store: it drops
// the triggers in tx, and tx applies their effect and recreates them just before it commits
// (Tx.BeforeCommit), so a rollback, a crash or a kill leaves them as they were.
func DeferInsertTriggersIn(tx *db.Tx) error {
	saved, err := dropInsertTriggers(tx)
	if err != nil {
		return err
	}
	tx.BeforeCommit(func(tx *db.Tx) error { return restoreInsertTriggers(tx, saved) })
	return nil
}

func dropInsertTriggers(tx *db.Tx) (map[string]string, error) {
	saved := map[string]string{}
	for name := range contactInsertTriggers {
		var sql string
		if err := tx.QueryRow("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", name).Scan(&sql); err != nil {
			return nil, fmt.Errorf("contacts: trigger %s: %w", name, err)
		}
		if _, err := tx.Exec("DROP TRIGGER " + name); err != nil {
			return nil, err
		}
		saved[name] = sql
	}
	return saved, nil
}

func restoreInsertTriggers(tx *db.Tx, saved map[string]string) error {
	for name, sql := range saved {
		if _, err := tx.Exec(contactInsertTriggers[name]); err != nil {
			return fmt.Errorf("contacts: effect of trigger %s: %w", name, err)
		}
		if _, err := tx.Exec(sql); err != nil {
			return fmt.Errorf("contacts: recreate trigger %s: %w", name, err)
		}
	}
	return nil
}
