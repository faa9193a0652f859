//go:build linux && cgo

package tracking

/*
#include <malloc.h>
*/
import "C"

// trimCHeap gives the C heap's free memory back to the OS (glibc malloc_trim).
func trimCHeap() { C.malloc_trim(0) }
