package app

import (
	"strings"
	"testing"

	"magpie/backend/apperr"
	"magpie/backend/focus"
)

// A new focus item (the editor's defaults) is previewed before it has a name; anything else
// invalid still fails the preview with its field error.
func TestFocusPreviewBeforeTheItemHasAName(t *testing.T) {
	f := &Focus{newShell(t, "")}
	v := FocusView{Style: "bar", Position: "top", ContentType: "link", Headline: "Get our newsletter",
		LinkURL: "https://", LinkText: "Subscribe", Trigger: "delay", TriggerValue: 5, Frequency: "session",
		Colors: focus.Colors{Background: "#1e3a8a", Text: "#ffffff", Button: "#fbbf24", ButtonText: "#111827"}, Published: true}
	p, err := f.Preview(v)
	if err != nil || !strings.Contains(p.HTML, "Get our newsletter") {
		t.Fatalf("preview of an unnamed item: %+v, %v", p, err)
	}
	v.Style = "nosuch"
	if _, err := f.Preview(v); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an invalid style previewed: %v", err)
	}
}
