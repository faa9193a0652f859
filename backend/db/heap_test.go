package db

import "testing"

// TestKeepHeap: holds nest, a release counts once however often it is called, and the last
// release ends the hold.
func TestKeepHeap(t *testing.T) {
	a, b := KeepHeap(), KeepHeap()
	if heap.n != 2 {
		t.Fatalf("two holds: %d", heap.n)
	}
	a()
	a()
	if heap.n != 1 {
		t.Fatalf("one hold released twice: %d left, want 1", heap.n)
	}
	b()
	if heap.n != 0 {
		t.Fatalf("all released: %d left", heap.n)
	}
}
