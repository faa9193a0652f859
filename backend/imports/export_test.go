package imports

// SetMaxHeld sets how many rows an import into a side file holds back before it builds the
// email index (held.go) and returns the function putting the bound back.
func SetMaxHeld(n int) (restore func()) {
	was := maxHeld
	maxHeld = n
	return func() { maxHeld = was }
}
