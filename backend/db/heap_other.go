//go:build !linux

package db

func keepHeap(bool) {}
