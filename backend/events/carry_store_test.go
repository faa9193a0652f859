package events

import (
	"fmt"
	"reflect"
	"testing"
)

// TestCarryStore: parts added to the store come back as pendingAgg.merge-like sums, lists in
// first-seen order, past the chunk boundaries of its records and nodes, for UUID and
// other contact ids alike.
func TestCarryStore(t *testing.T) {
	var s carryStore
	const n = 3 * chunkLen
	id := func(i int) string {
		if i%2 == 0 {
			return fmt.Sprintf("%08x-0000-7000-8000-000000000000", i)
		}
		return fmt.Sprintf("c%d", i)
	}
	for round := range 2 {
		for i := range n {
			p := &pendingAgg{hits: 1, firstHit: int64(10 - round), sent: int64(i)}
			p.pages.add(int64(100 + round))
			p.urls = []keyed[int64]{{key: int64(i), span: span{1, 5, 5}}, {key: int64(round), span: span{1, 6, 6}}}
			p.devices = []keyed[int32]{{key: 7, span: span{1, int64(round), int64(round)}}}
			s.add(id(i), p)
		}
	}
	if s.len() != n || len(s.contacts()) != n {
		t.Fatalf("len %d, %d contacts; want %d", s.len(), len(s.contacts()), n)
	}
	for _, i := range []int{0, 1, chunkLen - 1, chunkLen, 2*chunkLen + 1, n - 1} {
		got := s.pending(id(i))
		want := &pendingAgg{hits: 2, firstHit: 9, sent: int64(2 * i),
			pages:   pageRun{n: 2, first: 100, last: 101},
			urls:    []keyed[int64]{{key: int64(i), span: span{2, 5, 5}}},
			devices: []keyed[int32]{{key: 7, span: span{2, 0, 1}}}}
		switch i {
		case 0:
			want.urls = []keyed[int64]{{key: 0, span: span{3, 5, 6}}, {key: 1, span: span{1, 6, 6}}}
		case 1:
			want.urls = []keyed[int64]{{key: 1, span: span{3, 5, 6}}, {key: 0, span: span{1, 6, 6}}}
		default:
			want.urls = append(want.urls, keyed[int64]{key: 0, span: span{1, 6, 6}}, keyed[int64]{key: 1, span: span{1, 6, 6}})
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("contact %d: %+v, want %+v", i, got, want)
		}
	}
	s.drop(id(5))
	if s.has(id(5)) || s.pending(id(5)) != nil || !s.has(id(6)) || s.len() != n-1 {
		t.Fatal("drop")
	}
}
