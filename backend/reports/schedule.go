package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"sync"
	"time"

	"magpie/backend/db"
)

// NextRun is the first slot of sc strictly after after (UTC): daily at Hour, weekly on
// Weekday at Hour, monthly on Day (-1 = the last day) at Hour.
func NextRun(sc Schedule, after time.Time, _ time.Time) time.Time {
	after = after.UTC()
	d := time.Date(after.Year(), after.Month(), after.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < 400; i++ {
		day := d.AddDate(0, 0, i)
		if matches(sc, day) {
			t := day.Add(time.Duration(sc.Hour) * time.Hour)
			if t.After(after) {
				return t
			}
		}
	}
	return after.AddDate(1, 0, 0) // unreachable for a valid schedule
}

func matches(sc Schedule, day time.Time) bool {
	switch sc.Every {
	case "daily":
		return true
	case "weekly":
		return int(day.Weekday()) == sc.Weekday
	case "monthly":
		if sc.Day == -1 {
			return day.AddDate(0, 0, 1).Day() == 1
		}
		return day.Day() == sc.Day
	}
	return false
}

// Due lists the scheduled reports whose next slot has come (at most once each, however many
// slots were missed while the app was closed).
func (s *Service) Due(ctx context.Context, now time.Time) ([]Report, error) {
	all, err := s.List(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, r := range all {
		if r.Schedule.Every == "" {
			continue
		}
		if !NextRun(r.Schedule, lastRunOr(&r), now).After(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// RunDue runs every due schedule once: it writes the export (to the schedule's folder, or
// the data dir's reports folder when it is only emailed), emails it, and records the run.
// A crash before the record leaves the schedule due, so it runs on the next start. In a team
// only the holder of the lease runs them (the others return 0).
func (s *Service) RunDue(ctx context.Context) (int, error) {
	if s.lease != nil && !s.lease.Held(ctx) {
		return 0, nil
	}
	now := s.db.Clock.Now()
	due, err := s.Due(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		path, runErr := s.runSchedule(ctx, r, now)
		if errors.Is(runErr, context.Canceled) {
			return n, runErr
		}
		status, msg := "ok", ""
		if runErr != nil {
			status, msg = "error", runErr.Error()
		}
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(`INSERT INTO report_runs(report_id, last_run_at, last_status, last_error, last_path) VALUES(?, ?, ?, ?, ?)
				ON CONFLICT(report_id) DO UPDATE SET last_run_at = excluded.last_run_at, last_status = excluded.last_status,
				last_error = excluded.last_error, last_path = excluded.last_path`, r.ID, now.UnixMilli(), status, msg, path)
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) runSchedule(ctx context.Context, r Report, now time.Time) (string, error) {
	sc := r.Schedule
	dir := sc.Folder
	if dir == "" {
		dir = filepath.Join(s.dataDir, "reports", "scheduled")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", writeError(dir, err)
		}
	}
	base := unsafeName.ReplaceAllString(r.Name, "-")
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.%s", base, now.UTC().Format("2006-01-02"), sc.Format))
	res, err := s.Export(ctx, ExportRequest{ReportID: r.ID, Format: sc.Format, Path: path, Lang: sc.Lang}, nil)
	if err != nil {
		return "", err
	}
	if len(sc.Emails) > 0 {
		if s.mailer == nil {
			return res.Path, errors.New("no email sender configured")
		}
		data, err := os.ReadFile(res.Path)
		if err != nil {
			return res.Path, err
		}
		ct := mime.TypeByExtension("." + sc.Format)
		if sc.Format == XLSX {
			ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		day := now.UTC().Format("2006-01-02")
		subject := fmt.Sprintf("Report: %s (%s)", r.Name, day)
		text := fmt.Sprintf("The scheduled report %q (%s) is attached: %d rows.\n", r.Name, sc.Every, res.Rows)
		if isFrench(sc.Lang) {
			every := map[string]string{"daily": "quotidien", "weekly": "hebdomadaire", "monthly": "mensuel"}[sc.Every]
			subject = fmt.Sprintf("Rapport : %s (%s)", r.Name, day)
			text = fmt.Sprintf("Le rapport programmé « %s » (%s) est en pièce jointe : %d lignes.\n", r.Name, every, res.Rows)
		}
		if err := s.mailer.SendFile(ctx, sc.Emails, subject, text, filepath.Base(res.Path), ct, data); err != nil {
			return res.Path, fmt.Errorf("emailing %s: %w", filepath.Base(res.Path), err)
		}
		if sc.Folder == "" {
			os.Remove(res.Path) // only emailed: do not keep a copy
			return "", nil
		}
	}
	return res.Path, nil
}

type background struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

var bgMu sync.Mutex

// StartBackground checks schedules at start (a missed one runs now, once) and every
// minute until StopBackground.
func (s *Service) StartBackground(log *slog.Logger) {
	bgMu.Lock()
	defer bgMu.Unlock()
	if s.bg != nil || s.db.W == nil {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &background{cancel: cancel}
	s.bg = b
	b.done.Add(1)
	go func() {
		defer b.done.Done()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			if n, err := s.RunDue(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("reports: scheduled run", "err", err)
			} else if n > 0 {
				log.Info("reports: scheduled reports ran", "n", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// StopBackground stops the schedule loop and waits for a run in flight.
func (s *Service) StopBackground() {
	bgMu.Lock()
	b := s.bg
	s.bg = nil
	bgMu.Unlock()
	if b != nil {
		b.cancel()
		b.done.Wait()
	}
}
