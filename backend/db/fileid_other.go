//go:build !unix

package db

func fileIdentity(string) string { return "" }
