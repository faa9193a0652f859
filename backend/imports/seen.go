package imports

import "hash/maphash"

// seenEmails is a Bloom filter of the emails an import into a store without contacts has
// written (a side file, RunFresh): an email it has not seen belongs to no stored contact, so
// the batch's look-up by email (a random probe of the email index per row, ~6 % of a 1M
// import) is asked only about the emails it may have seen — true duplicates and ~1 % false
// positives. 10 bits and 4 probes per expected email: 1.2 MB per million rows.
type seenEmails struct {
	bits []uint64
	seed maphash.Seed
}

func newSeenEmails(expected int64) *seenEmails {
	n := max(expected*10/64, 1024)
	return &seenEmails{bits: make([]uint64, n), seed: maphash.MakeSeed()}
}

func (s *seenEmails) probes(email string) (h1, h2 uint64) {
	h := maphash.String(s.seed, email)
	return h, h>>32 | h<<32 | 1
}

func (s *seenEmails) add(email string) {
	h1, h2 := s.probes(email)
	m := uint64(len(s.bits) * 64)
	for i := uint64(0); i < 4; i++ {
		b := (h1 + i*h2) % m
		s.bits[b/64] |= 1 << (b % 64)
	}
}

// mayHave is false only for an email never added.
func (s *seenEmails) mayHave(email string) bool {
	h1, h2 := s.probes(email)
	m := uint64(len(s.bits) * 64)
	for i := uint64(0); i < 4; i++ {
		b := (h1 + i*h2) % m
		if s.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}
