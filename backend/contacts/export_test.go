package contacts

// SetWalkThreshold changes the result size above which pages walk the sort index (tests).
func SetWalkThreshold(n int) func() {
	old := walkThreshold
	walkThreshold = n
	return func() { walkThreshold = old }
}
