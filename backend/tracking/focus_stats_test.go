package tracking

import (
	"context"
	"net/http/httptest"
	"testing"

	"magpie/backend/clock"
	"magpie/backend/focus"
)

// Views and conversions posted by mtc.js become focus.viewed / focus.converted events of the
// visitor; the item's stats count them in total and per distinct visitor, and by day.
func TestFocusStats(t *testing.T) {
	f := newWebFixture(t)
	ctx := context.Background()
	it, err := f.web.Focus.Save(ctx, focus.Item{Name: "Bar", Style: "bar", Position: "top", ContentType: "link",
		LinkURL: "https://www.example.com/offer", Headline: "Join", Published: true})
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := f.web.Focus.Save(ctx, focus.Item{Name: "Draft", Style: "bar", Position: "top", Headline: "x"})
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, dev string) int {
		r := httptest.NewRequest("POST", path+"?url=https%3A%2F%2Fwww.example.com%2F&mautic_device_id="+dev, nil)
		return f.do(r).Code
	}
	devA, devB := "0190aaaa-0000-7000-8000-0000000000a1", "0190aaaa-0000-7000-8000-0000000000b2"
	cases := []struct {
		path, dev string
		code      int
	}{
		{"/focus/" + it.ID + "/view", devA, 204},
		{"/focus/" + it.ID + "/view", devA, 204},
		{"/focus/" + it.ID + "/view", devB, 204},
		{"/focus/" + it.ID + "/convert", devA, 204},
		{"/focus/" + it.ID + "/convert", devA, 204},
		{"/focus/" + it.ID + "/click", devA, 400},
		{"/focus/" + hidden.ID + "/view", devA, 404},
		{"/focus/nope/view", devA, 404},
	}
	for _, c := range cases {
		if got := post(c.path, c.dev); got != c.code {
			t.Errorf("POST %s = %d, want %d", c.path, got, c.code)
		}
	}
	f.flush(t)
	// The series ends today by the store's clock: make it the day the hits were received.
	f.web.DB.Clock.(*clock.Fake).Set(f.srv.cfg.Now())
	st, err := f.web.Focus.Stats(ctx, it.ID, 7)
	if err != nil {
		t.Fatal(err)
	}
	if st.Views != 3 || st.UniqueViews != 2 || st.Conversions != 2 || st.UniqueConversions != 1 || st.Rate != 0.5 {
		t.Fatalf("stats %+v", st)
	}
	last := len(st.Days) - 1
	if len(st.Days) != 7 || st.ViewsByDay[last] != 3 || st.ConversionsByDay[last] != 1 || len(st.Chart) == 0 {
		t.Fatalf("daily series %v %v %v", st.Days, st.ViewsByDay, st.ConversionsByDay)
	}
	if _, err := f.web.Focus.Stats(ctx, "0190aaaa-0000-7000-8000-000000000000", 7); err == nil {
		t.Fatal("stats of an unknown item")
	}
}
