package tracking

import (
	"testing"

	"github.com/google/uuid"

	"magpie/backend/ids"
)

func TestVisitorIDNearDevice(t *testing.T) {
	early, late := "019b76da-a832-7000-9000-000000000003", "019b76db-0000-7abc-9def-000000000001"
	tests := []struct {
		name, device, want string
		prefix             string // first 48 bits kept from the device
	}{
		{name: "UUIDv7 device", device: early, prefix: "019b76da-a832"},
		{name: "later UUIDv7 device", device: late, prefix: "019b76db-0000"},
		{name: "UUIDv4 device keeps its bits", device: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", prefix: "3f2504e0-4f89"},
		{name: "not a UUID: the old derived id", device: "dev-3", want: ids.Derived("visitor", "dev-3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VisitorID(tt.device)
			if got != VisitorID(tt.device) {
				t.Fatal("not deterministic")
			}
			if tt.want != "" {
				if got != tt.want {
					t.Fatalf("VisitorID(%q) = %s, want %s", tt.device, got, tt.want)
				}
				return
			}
			u, err := uuid.Parse(got)
			if err != nil || !ids.Valid(got) {
				t.Fatalf("VisitorID(%q) = %q is not a UUID: %v", tt.device, got, err)
			}
			if got[:13] != tt.prefix || u.Version() != 8 || u.Variant() != uuid.RFC4122 {
				t.Fatalf("VisitorID(%q) = %s: want prefix %s, version 8, RFC variant (got v%d)", tt.device, got, tt.prefix, u.Version())
			}
			if got == ids.Derived("visitor", tt.device) {
				t.Fatal("same as the old hashed id")
			}
		})
	}
	if a, b := VisitorID(early), VisitorID(late); a >= b {
		t.Errorf("visitor ids do not sort like their devices: %s >= %s", a, b)
	}
	if a, b := VisitorID(early), VisitorID("019b76da-a832-7000-9000-000000000004"); a == b || a[:13] != b[:13] {
		t.Errorf("two devices of the same millisecond: %s, %s", a, b)
	}
	hit := "019b76dc-0000-7000-8000-000000000009"
	if v := laterVisitorID(early, hit); v[:13] != hit[:13] || v == VisitorID(early) {
		t.Errorf("laterVisitorID = %s, want near the hit %s", v, hit)
	}
	if v := laterVisitorID("dev-3", "h1"); v != ids.Derived("visitor", "dev-3", "h1") {
		t.Errorf("laterVisitorID of non-UUIDs = %s, want the old derived id", v)
	}
}
