package teamsync

import "magpie/backend/db"

// RebindFile records, inside tx, that the store's site id belongs to the file at path: a
// store built in a side file and renamed over the original (db.InstallFile) keeps its site
// id, instead of being taken for a copied file at the next open (loadSite).
func RebindFile(tx *db.Tx, path string) error {
	var site string
	if err := tx.QueryRow("SELECT coalesce((SELECT v FROM meta WHERE k = ?), '')", keySite).Scan(&site); err != nil {
		return err
	}
	if site == "" {
		return nil
	}
	return tx.SetMeta(keySiteFile, db.FileIdentity(path))
}
