// Package campaigns is Mautic's campaign engine (MAUTIC.md §4): campaigns with a draft and
// published graph of sources and events, membership from segments, forms and manual adds,
// and a durable log whose scheduled/waiting rows are the job table the runner works
// through, exactly once per contact × event × rotation.
package campaigns

import "encoding/json"

// Campaign is one campaign; Graph is the draft.
type Campaign struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Category     string `json:"category"`
	Published    bool   `json:"published"`
	AllowRestart bool   `json:"allowRestart"`
	Version      int    `json:"version"`
	Graph        Graph  `json:"graph"`
	UpdatedAt    string `json:"updatedAt"` // RFC 3339
	Members      int    `json:"members"`
	Deleted      bool   `json:"deleted"`
}

// Graph is the canvas: sources and events.
type Graph struct {
	Sources []Source `json:"sources"`
	Events  []Event  `json:"events"`
}

// Source brings contacts in: segments or forms.
type Source struct {
	ID   string   `json:"id"`
	Type string   `json:"type"` // segment | form
	IDs  []string `json:"ids"`
	X    float64  `json:"x"`
	Y    float64  `json:"y"`
}

// Event kinds.
const (
	KindAction    = "action"
	KindDecision  = "decision"
	KindCondition = "condition"
)

// Event is one node of the graph.
type Event struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Kind    string         `json:"kind"`
	Type    string         `json:"type"`
	Parent  *string        `json:"parent"`
	Path    string         `json:"path"` // "" | yes | no
	Trigger Trigger        `json:"trigger"`
	Props   map[string]any `json:"props"`
	X       float64        `json:"x"`
	Y       float64        `json:"y"`
}

// ParentID is the parent's id, "" for a root event.
func (e Event) ParentID() string {
	if e.Parent == nil {
		return ""
	}
	return *e.Parent
}

// Trigger is when an event runs once reached (§4.3).
type Trigger struct {
	Mode      string `json:"mode"` // immediate | interval | date
	Interval  int    `json:"interval"`
	Unit      string `json:"unit"` // i h d m y
	Date      string `json:"date"` // RFC3339
	Hour      string `json:"hour"` // HH:MM in the contact's zone
	StartHour string `json:"startHour"`
	EndHour   string `json:"endHour"`
	Weekdays  []int  `json:"weekdays"` // 1 = Monday … 7 = Sunday
}

// PropSpec describes one property of an event type for the side panel.
type PropSpec struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Options  []Option `json:"options,omitempty"`
}

// Option is one choice of a select.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// EventSpec is one catalogue entry.
type EventSpec struct {
	Type       string     `json:"type"`
	Kind       string     `json:"kind"`
	Group      string     `json:"group"`
	ComingSoon bool       `json:"comingSoon"`
	Props      []PropSpec `json:"props"`
}

// Problem is one validation finding; Key is an i18n key, Message English.
type Problem struct {
	EventID  string         `json:"eventId"`
	SourceID string         `json:"sourceId,omitempty"`
	Key      string         `json:"key"`
	Params   map[string]any `json:"params,omitempty"`
	Message  string         `json:"message"`
}

// Counts are the live counts of one event.
type Counts struct {
	Done      int `json:"done"`
	Scheduled int `json:"scheduled"`
	Waiting   int `json:"waiting"`
	Failed    int `json:"failed"`
}

// Version is one published state.
type Version struct {
	Version     int    `json:"version"`
	PublishedAt string `json:"publishedAt"` // RFC 3339
	Name        string `json:"name"`
}

// Input is what the builder saves (ID empty = new).
type Input struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Category     string `json:"category"`
	AllowRestart bool   `json:"allowRestart"`
	Graph        Graph  `json:"graph"`
}

// PathCounts are the contacts that took each path of an event in a simulation.
type PathCounts struct {
	Yes  int `json:"yes"`
	No   int `json:"no"`
	Done int `json:"done"`
}

// SimResult is what a simulation reports.
type SimResult struct {
	PerEvent map[string]PathCounts `json:"perEvent"`
	Contacts int                   `json:"contacts"`
}

// Prop reads a string property.
func (e Event) Prop(name string) string {
	switch v := e.Props[name].(type) {
	case string:
		return v
	case float64:
		b, _ := json.Marshal(v)
		return string(b)
	case bool:
		if v {
			return "1"
		}
		return "0"
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// PropList reads a list property (a JSON array, or a comma-separated string).
func (e Event) PropList(name string) []string {
	switch v := e.Props[name].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			switch s := x.(type) {
			case string:
				if s != "" {
					out = append(out, s)
				}
			case float64:
				b, _ := json.Marshal(s)
				out = append(out, string(b))
			}
		}
		return out
	case []string:
		return v
	case string:
		return splitList(v)
	}
	return nil
}

// PropNumber reads a number property.
func (e Event) PropNumber(name string) (float64, bool) {
	switch v := e.Props[name].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case string:
		var f float64
		if err := json.Unmarshal([]byte(v), &f); err == nil {
			return f, true
		}
	}
	return 0, false
}
