package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"magpie/backend/apperr"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// Widget is one tile of a board: its type, width in twelfths (3 = 25 %, 12 = 100 %) and
// height in rows (1 row ≈ Mautic's 215 px, 2 = 330+). Order in the list is grid order.
type Widget struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	W    int    `json:"w"`
	H    int    `json:"h"`
}

// Layout is a saved board.
type Layout struct {
	Widgets []Widget `json:"widgets"`
	// Default is true when the user has not saved a board yet.
	Default bool `json:"default"`
}

// Widths a widget may take (25, 33, 50, 66, 75, 100 %); heights 1–3 rows.
var widths = map[int]bool{3: true, 4: true, 6: true, 8: true, 9: true, 12: true}

const maxWidgets = 40

// Types lists the widget types in the "add widget" menu order.
func Types() []string {
	out := make([]string, 0, len(order))
	return append(out, order...)
}

// DefaultWidgets is the board of a user who has not arranged one. An empty database gets
// the getting-started tile first (load demo data, import, create a segment).
func DefaultWidgets(empty bool) []Widget {
	base := []Widget{
		{Type: TContactsCreated, W: 12, H: 1},
		{Type: TPageVisits, W: 6, H: 1}, {Type: TEmails, W: 6, H: 1},
		{Type: TTopPages, W: 6, H: 1}, {Type: TTopEmails, W: 6, H: 1},
		{Type: TCountries, W: 6, H: 1}, {Type: TSegments, W: 6, H: 1},
		{Type: TPointsFunnel, W: 4, H: 1}, {Type: TStagesFunnel, W: 4, H: 1}, {Type: TTopReferrers, W: 4, H: 1},
		{Type: TUpcoming, W: 6, H: 1}, {Type: TRecent, W: 6, H: 1},
	}
	if empty {
		base = append([]Widget{{Type: TWelcome, W: 12, H: 2}}, base...)
	}
	for i := range base {
		base[i].ID = fmt.Sprintf("w%d", i+1)
	}
	return base
}

// Validate checks a board: known types, allowed sizes, unique ids (empty ids get one).
func Validate(ws []Widget) ([]Widget, error) {
	if len(ws) > maxWidgets {
		return nil, apperr.Invalidf("dashboard.errors.tooMany", map[string]any{"max": maxWidgets}, "a board holds at most %d widgets", maxWidgets)
	}
	seen := map[string]bool{}
	out := make([]Widget, 0, len(ws))
	for i, w := range ws {
		if _, ok := registry[w.Type]; !ok {
			return nil, apperr.Invalidf("dashboard.errors.unknownWidget", map[string]any{"type": w.Type, "index": i + 1},
				"widget %d: unknown type %q", i+1, w.Type)
		}
		if !widths[w.W] {
			return nil, apperr.Invalidf("dashboard.errors.width", map[string]any{"w": w.W, "index": i + 1},
				"widget %d (%s): width %d is not one of 3, 4, 6, 8, 9, 12", i+1, w.Type, w.W)
		}
		if w.H < 1 || w.H > 3 {
			return nil, apperr.Invalidf("dashboard.errors.height", map[string]any{"h": w.H, "index": i + 1},
				"widget %d (%s): height %d is not 1, 2 or 3", i+1, w.Type, w.H)
		}
		if w.ID == "" {
			w.ID = "w" + strings.ReplaceAll(ids.New(), "-", "")[20:]
		}
		if seen[w.ID] {
			return nil, apperr.Invalidf("dashboard.errors.duplicate", map[string]any{"id": w.ID, "index": i + 1},
				"widget %d: id %q is used twice", i+1, w.ID)
		}
		seen[w.ID] = true
		out = append(out, w)
	}
	return out, nil
}

// GetLayout returns the user's board, or the default one.
func (s *Service) GetLayout(ctx context.Context, user string) (Layout, error) {
	var v string
	err := s.db.R.QueryRowContext(ctx, "SELECT layout FROM dash_layouts WHERE user_key = ?", userKey(user)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		var any int
		if err := s.db.R.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM contacts WHERE deleted = 0)").Scan(&any); err != nil {
			return Layout{}, err
		}
		return Layout{Widgets: DefaultWidgets(any == 0), Default: true}, nil
	}
	if err != nil {
		return Layout{}, err
	}
	var l Layout
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		return Layout{}, fmt.Errorf("dashboard: saved board of %q: %w", user, err)
	}
	// Types removed since the board was saved are dropped rather than failing the board.
	kept := l.Widgets[:0]
	for _, w := range l.Widgets {
		if _, ok := registry[w.Type]; ok {
			kept = append(kept, w)
		}
	}
	l.Widgets = kept
	return l, nil
}

// SaveLayout validates and stores the user's board (one transaction).
func (s *Service) SaveLayout(ctx context.Context, user string, ws []Widget) (Layout, error) {
	ws, err := Validate(ws)
	if err != nil {
		return Layout{}, err
	}
	l := Layout{Widgets: ws}
	b, _ := json.Marshal(l)
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO dash_layouts(user_key, layout, updated_at) VALUES(?, ?, ?)
			ON CONFLICT(user_key) DO UPDATE SET layout = excluded.layout, updated_at = excluded.updated_at`,
			userKey(user), string(b), tx.NowMs())
		return err
	})
	return l, err
}

// ResetLayout forgets the user's board (the default comes back).
func (s *Service) ResetLayout(ctx context.Context, user string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec("DELETE FROM dash_layouts WHERE user_key = ?", userKey(user))
		return err
	})
}

func userKey(u string) string {
	if u == "" {
		return "local"
	}
	return u
}
