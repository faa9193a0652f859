package seed

// SetFreshMin lowers the size from which RunFresh builds in a side file (tests).
func SetFreshMin(n int) (restore func()) {
	old := freshMin
	freshMin = n
	return func() { freshMin = old }
}
