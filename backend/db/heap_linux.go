package db

/*
#include <malloc.h>

// magpie_keep_heap sets glibc's trim threshold: 64 MiB while on, back to its default
// (128 KiB) and the heap trimmed when off.
static void magpie_keep_heap(int on) {
#ifdef __GLIBC__
	mallopt(M_TRIM_THRESHOLD, on ? 64 << 20 : 128 << 10);
	if (!on) malloc_trim(0);
#endif
}
*/
import "C"

func keepHeap(on bool) {
	v := C.int(0)
	if on {
		v = 1
	}
	C.magpie_keep_heap(v)
}
