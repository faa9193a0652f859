//go:build !linux || !cgo

package tracking

func trimCHeap() {}
