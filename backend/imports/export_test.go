package imports

// SetMaxHeld sets how many rows an import into a side file holds back before it builds the
// email index (held.go) and returns the function putting the bound back.
func SetMaxHeld(n int) (restore func()) {
	was := maxHeld
	maxHeld = n
	return func() { maxHeld = was }
}

// SetScatter sets the smallest file and the share of the stored contacts from which an
// import in place defers the scattered indexes (run.go) and returns the function putting
// them back.
func SetScatter(minBytes, share int64) (restore func()) {
	m, s := scatterMinBytes, scatterShare
	scatterMinBytes, scatterShare = minBytes, share
	return func() { scatterMinBytes, scatterShare = m, s }
}
