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
	saved := map[string]string{}
	err := d.Write(ctx, func(tx *db.Tx) error {
		for name := range contactInsertTriggers {
			var sql string
			if err := tx.QueryRow("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", name).Scan(&sql); err != nil {
				return fmt.Errorf("contacts: trigger %s: %w", name, err)
			}
			if _, err := tx.Exec("DROP TRIGGER " + name); err != nil {
				return err
			}
			saved[name] = sql
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		return d.Write(ctx, func(tx *db.Tx) error {
			for name, sql := range saved {
				if _, err := tx.Exec(contactInsertTriggers[name]); err != nil {
					return fmt.Errorf("contacts: effect of trigger %s: %w", name, err)
				}
				if _, err := tx.Exec(sql); err != nil {
					return fmt.Errorf("contacts: recreate trigger %s: %w", name, err)
				}
			}
			return nil
		})
	}, nil
}
