//go:build !linux

package tracking

// lowerPriority is a no-op where threads cannot be prioritised one by one.
func lowerPriority() {}
