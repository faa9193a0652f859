//go:build !unix

package teamsync

// fileIdentity is unknown on this platform: copied files are not detected.
func fileIdentity(string) string { return "" }
