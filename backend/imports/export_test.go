package imports

// SetMaxHeld sets how many rows an import into a side file holds back before it builds the
// email index (held.go) and returns the function putting the bound back.
func SetMaxHeld(n int) (restore func()) {
	was := maxHeld
	maxHeld = n
	return func() { maxHeld = was }
}

// SetBulk sets from how many bytes left an import is a bulk one and how many rows a bulk
// import writes per transaction in the store, and returns the function putting them back.
func SetBulk(minBytes int64, groupRows int) (restore func()) {
	b, g := bulkMinBytes, bulkGroupRows
	bulkMinBytes, bulkGroupRows = minBytes, groupRows
	return func() { bulkMinBytes, bulkGroupRows = b, g }
}

// SetBeforeOneTransaction makes f run between the check that the store has no contacts and
// an import's one transaction, and returns the function removing it.
func SetBeforeOneTransaction(f func()) (restore func()) {
	beforeOneTx = f
	return func() { beforeOneTx = nil }
}
