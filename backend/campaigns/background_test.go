package campaigns

import (
	"testing"
	"time"
)

// The background runner enters segment members after publish and runs due steps by
// itself; a contact joining the source segment later enters without a manual sync.
func TestBackgroundRunner(t *testing.T) {
	f := newFixture(t)
	f.contact(map[string]string{"firstname": "Ann", "email": "ann@x.io", "city": "Paris"})
	paris := f.segment("Paris", `[{"glue":"and","field":"city","object":"lead","type":"text","operator":"=","properties":{"filter":"Paris"}}]`)
	f.s.Start(nil)
	defer f.s.Stop()
	f.publish("BG", false, tagGraph(segSource(paris), "bg"))
	waitFor(t, func() bool { return len(f.tagged("bg")) == 1 })
	bob := f.contact(map[string]string{"firstname": "Bob", "email": "bob@x.io"})
	f.cs.Update(f.ctx, bob, map[string]string{"city": "Paris"}, "test")
	f.seg.Rebuild(f.ctx, paris, time.Time{}) // signals the segment's change
	waitFor(t, func() bool { return equal(f.tagged("bg"), []string{"Ann", "Bob"}) })
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
