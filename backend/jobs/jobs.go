// Package jobs runs long user-visible work (imports, exports, demo data, rebuilds) in the
// background with progress, rate and cancel, and keeps a row per job in the jobs table so
// the UI can show what ran and how it ended, even after a restart.
//
// Durable resumption is the job kind's business (an import resumes from its committed
// offset): on start-up, Resume calls the registered resumer for jobs left running.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"magpie/backend/apperr"
	"magpie/backend/bus"
	"magpie/backend/db"
	"magpie/backend/ids"
)

// States of a job.
const (
	Queued   = "queued"
	Running  = "running"
	Done     = "done"
	Failed   = "failed"
	Canceled = "canceled"
)

// Topics published on the bus.
const (
	TopicProgress = "job:progress"
	TopicDone     = "job:done"
)

// Status is a job as the UI shows it.
type Status struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Title     string  `json:"title"`
	State     string  `json:"state"`
	Done      int64   `json:"done"`
	Total     int64   `json:"total"`
	Rate      float64 `json:"rate"` // units per second since start
	Message   string  `json:"message"`
	Result    string  `json:"result"` // JSON, kind-specific
	StartedAt string  `json:"startedAt"`
	Error     string  `json:"error"` // English, for the CLI and logs
	// ErrorKey and ErrorParams say the failure in the UI's language when it is an apperr.Error
	// (a live job only: the jobs table keeps the English text).
	ErrorKey    string         `json:"errorKey,omitempty"`
	ErrorParams map[string]any `json:"errorParams,omitempty"`
}

// Progress is handed to a running job to report how far it is.
type Progress struct {
	r       *Runner
	st      *Status
	started time.Time
	last    time.Time
	mu      sync.Mutex
}

// Set reports done of total units (total 0 = unknown) with an optional message. Calls are
// cheap: the bus is notified at most every 100 ms.
func (p *Progress) Set(done, total int64, msg string) {
	p.mu.Lock()
	p.st.Done, p.st.Total = done, total
	if msg != "" {
		p.st.Message = msg
	}
	if el := time.Since(p.started).Seconds(); el > 0 {
		p.st.Rate = float64(done) / el
	}
	publish := time.Since(p.last) >= 100*time.Millisecond
	if publish {
		p.last = time.Now()
	}
	st := *p.st
	p.mu.Unlock()
	if publish {
		p.r.bus.Publish(TopicProgress, st)
	}
}

// SetResult stores a kind-specific result (marshalled to JSON).
func (p *Progress) SetResult(v any) {
	b, _ := json.Marshal(v)
	p.mu.Lock()
	p.st.Result = string(b)
	p.mu.Unlock()
}

// Func is the work of a job. It must stop promptly when ctx is canceled and return
// ctx.Err() (or an error wrapping it).
type Func func(ctx context.Context, p *Progress) error

// Runner runs jobs.
type Runner struct {
	db  *db.DB
	bus *bus.Bus

	mu      sync.Mutex
	running map[string]*running
	wg      sync.WaitGroup
}

type running struct {
	cancel context.CancelFunc
	prog   *Progress
}

// New returns a runner.
func New(d *db.DB, b *bus.Bus) *Runner {
	return &Runner{db: d, bus: b, running: map[string]*running{}}
}

// Start runs fn in the background and returns the job id at once.
func (r *Runner) Start(kind, title string, fn Func) (string, error) {
	return r.StartWithID(ids.New(), kind, title, fn)
}

// StartWithID is Start with a caller-chosen id (e.g. an import's id, to resume it).
func (r *Runner) StartWithID(id, kind, title string, fn Func) (string, error) {
	now := time.Now()
	st := &Status{ID: id, Kind: kind, Title: title, State: Running, StartedAt: now.UTC().Format(time.RFC3339)}
	payload, _ := json.Marshal(map[string]string{"title": title})
	err := r.db.Write(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(`INSERT INTO jobs(id, kind, payload, state, run_at, created_at, updated_at) VALUES(?, ?, ?, 'running', ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET state = 'running', updated_at = excluded.updated_at`,
			id, kind, string(payload), tx.NowMs(), tx.NowMs(), tx.NowMs())
		return err
	})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Progress{r: r, st: st, started: now}
	r.mu.Lock()
	r.running[id] = &running{cancel: cancel, prog: p}
	r.mu.Unlock()
	r.bus.Publish(TopicProgress, *st)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer cancel()
		err := safeRun(ctx, fn, p)
		p.mu.Lock()
		switch {
		case err == nil:
			st.State = Done
		case errors.Is(err, context.Canceled) || apperr.CodeOf(err) == apperr.Canceled:
			st.State = Canceled
		default:
			st.State = Failed
			st.Error = err.Error()
			if ae, ok := apperr.As(err); ok {
				st.ErrorKey, st.ErrorParams = ae.Key, ae.Params
			}
		}
		final := *st
		p.mu.Unlock()
		r.mu.Lock()
		delete(r.running, id)
		r.mu.Unlock()
		_ = r.db.Write(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec("UPDATE jobs SET state = ?, done = ?, total = ?, message = ?, result = ?, updated_at = ? WHERE id = ?",
				final.State, final.Done, final.Total, final.Error, final.Result, tx.NowMs(), id)
			return err
		})
		r.bus.Publish(TopicDone, final)
	}()
	return id, nil
}

func safeRun(ctx context.Context, fn Func, p *Progress) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("jobs: panic: %v", v)
		}
	}()
	return fn(ctx, p)
}

// Cancel asks a running job to stop; it reports false if the job is not running.
func (r *Runner) Cancel(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.running[id]
	if ok {
		j.cancel()
	}
	return ok
}

// Get returns a job's status (live if running, else from the table).
func (r *Runner) Get(ctx context.Context, id string) (Status, error) {
	r.mu.Lock()
	j, ok := r.running[id]
	r.mu.Unlock()
	if ok {
		j.prog.mu.Lock()
		defer j.prog.mu.Unlock()
		return *j.prog.st, nil
	}
	var st Status
	var payload string
	var created int64
	err := r.db.R.QueryRowContext(ctx, `SELECT id, kind, payload, state, done, total, coalesce(message,''), coalesce(result,''), created_at
		FROM jobs WHERE id = ?`, id).Scan(&st.ID, &st.Kind, &payload, &st.State, &st.Done, &st.Total, &st.Error, &st.Result, &created)
	if err != nil {
		return st, apperr.NotFoundf("jobs.errors.notFound", nil, "no job %s", id)
	}
	var p map[string]string
	_ = json.Unmarshal([]byte(payload), &p)
	st.Title = p["title"]
	st.StartedAt = time.UnixMilli(created).UTC().Format(time.RFC3339)
	return st, nil
}

// Recent lists the latest jobs, running ones first.
func (r *Runner) Recent(ctx context.Context, limit int) ([]Status, error) {
	idList, err := db.Strings(r.db.R.QueryContext(ctx, "SELECT id FROM jobs ORDER BY created_at DESC LIMIT ?", limit))
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(idList))
	for _, id := range idList {
		st, err := r.Get(ctx, id)
		if err == nil {
			out = append(out, st)
		}
	}
	return out, nil
}

// Interrupted returns jobs of kind left "running" by a previous process (crash, kill).
func (r *Runner) Interrupted(ctx context.Context, kind string) ([]string, error) {
	rows, err := r.db.R.QueryContext(ctx, "SELECT id FROM jobs WHERE kind = ? AND state = 'running'", kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		r.mu.Lock()
		_, live := r.running[id]
		r.mu.Unlock()
		if !live {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// Wait blocks until every started job has finished (shutdown, tests).
func (r *Runner) Wait() { r.wg.Wait() }

// CancelAll cancels every running job.
func (r *Runner) CancelAll() {
	r.mu.Lock()
	for _, j := range r.running {
		j.cancel()
	}
	r.mu.Unlock()
}

// Live lists the jobs running in this process (oldest first): what the shell's jobs
// indicator shows. Jobs a previous process left "running" are not live and not listed.
func (r *Runner) Live() []Status {
	r.mu.Lock()
	list := make([]*running, 0, len(r.running))
	for _, j := range r.running {
		list = append(list, j)
	}
	r.mu.Unlock()
	out := make([]Status, 0, len(list))
	for _, j := range list {
		j.prog.mu.Lock()
		out = append(out, *j.prog.st)
		j.prog.mu.Unlock()
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].StartedAt != out[k].StartedAt {
			return out[i].StartedAt < out[k].StartedAt
		}
		return out[i].ID < out[k].ID
	})
	return out
}
