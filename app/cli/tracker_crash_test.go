package cli

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"magpie/backend/tracking"
)

// childEnv makes the test binary run `magpie` with the arguments in it (one per line) instead
// of the tests: TestFormPostsSurviveKill runs the tracker as a real process it can kill -9.
const childEnv = "MAGPIE_TEST_CLI_CHILD"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		os.Exit(Main(strings.Split(args, "\n"), Shells{}))
	}
	os.Exit(m.Run())
}

const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

var listening = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startTracker runs `magpie tracker` on addr in a child process and returns it with its URL.
func startTracker(t *testing.T, dir, addr string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{"--data-dir", dir, "tracker", "--addr", addr,
		"--rate-limit", "0", "--form-rate-limit", "-1"}, "\n"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the tracker did not start within 60 s")
		return nil, ""
	}
}

// TestFormPostsSurviveKill: submitters post a defined form to a real tracker process, which is
// killed with SIGKILL halfway and started again; once the spool and the ingest have drained,
// every post answered 200 is exactly one stored hit, one form.submitted event and one result,
// and at most the posts in flight at the kill are stored without their answer
// (tests/bench/web.sh runs the same check with 100 submitters for 30 s).
func TestFormPostsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts tracker processes")
	}
	dir := t.TempDir()
	def := filepath.Join(dir, "form.json")
	os.WriteFile(def, []byte(`{"name":"Crash","published":true,"fields":[{"alias":"email","label":"Email","type":"email","mapTo":"contact.email","required":true}],
		"actions":[{"type":"tags","add":["crash"]}]}`), 0o600)
	code, out, errOut := magpie(t, dir, "forms", "save", def, "--json")
	if code != 0 {
		t.Fatalf("forms save: %d %s", code, errOut)
	}
	var form struct{ ID string }
	if err := json.Unmarshal([]byte(out), &form); err != nil || form.ID == "" {
		t.Fatalf("forms save answered %q", out)
	}

	cmd, base := startTracker(t, dir, "127.0.0.1:0")
	var cur atomic.Value
	cur.Store(base)
	const clients = 6
	var acked, failed, seq atomic.Int64
	var ackedPhase [2]atomic.Int64
	var phase atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				body := url.Values{"mauticform[formId]": {form.ID}, "mauticform[email]": {fmt.Sprintf("k%d@crash.example.com", seq.Add(1))}}
				req, _ := http.NewRequest("POST", cur.Load().(string)+"/form/submit/ajax", strings.NewReader(body.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("User-Agent", browserUA) // Go's own is a bot's: stored, never ingested
				resp, err := hc.Do(req)
				if err != nil {
					failed.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					acked.Add(1)
					ackedPhase[phase.Load()].Add(1)
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitFor("200 answers before the kill", func() bool { return ackedPhase[0].Load() >= 150 })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	phase.Store(1)
	// What the killed tracker had accepted (fsynced) but not yet stored: the restart sends it.
	sp, err := tracking.OpenSpool(filepath.Join(dir, "tracker-spool"), tracking.SpoolOptions{})
	if err != nil {
		t.Fatalf("spool after the kill: %v", err)
	}
	left := sp.Pending()
	sp.Close()
	cmd, base = startTracker(t, dir, strings.TrimPrefix(base, "http://"))
	cur.Store(base)
	waitFor("200 answers after the restart", func() bool { return ackedPhase[1].Load() >= 150 })
	close(stop)
	wg.Wait()
	// The pump empties the spool into the store (what the killed process had accepted is sent
	// again from its checkpoint); then a clean stop lets the ingest finish.
	waitFor("an empty spool", func() bool {
		resp, err := http.Get(base + "/health")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var h struct{ Metrics struct{ PendingBytes int64 } }
		json.NewDecoder(resp.Body).Decode(&h)
		return h.Metrics.PendingBytes == 0
	})
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tracker stop: %v", err)
	}
	if code, _, errOut := magpie(t, dir, "tracking", "ingest"); code != 0 {
		t.Fatalf("tracking ingest: %s", errOut)
	}

	d, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "magpie.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var hits, evs, results, distinct, tagged int64
	for _, q := range []struct {
		sql string
		v   *int64
	}{
		{"SELECT count(*) FROM hits WHERE kind = 'form' AND form_id = ?1", &hits},
		{"SELECT count(*) FROM events WHERE type = 'form.submitted' AND object_id = ?1", &evs},
		{"SELECT count(*) FROM form_results WHERE form_id = ?1", &results},
		{"SELECT count(DISTINCT json_extract(vals, '$.email')) FROM form_results WHERE form_id = ?1", &distinct},
		{"SELECT count(*) FROM contact_tags ct JOIN tags g ON g.id = ct.tag_id WHERE g.name = 'crash' AND ct.deleted = 0 AND ?1 <> ''", &tagged},
	} {
		if err := d.QueryRowContext(context.Background(), q.sql, form.ID).Scan(q.v); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	ok := acked.Load()
	t.Logf("answered 200: %d (%d before the kill, spool left with %d bytes to store), failed: %d; stored hits %d, events %d, results %d (%d distinct), tagged %d",
		ok, ackedPhase[0].Load(), left, failed.Load(), hits, evs, results, distinct, tagged)
	if results < ok || results > ok+clients {
		t.Errorf("%d results for %d acknowledged posts (at most %d more may be stored: the posts in flight at the kill)", results, ok, clients)
	}
	if hits != results || evs != results || distinct != results || tagged != results {
		t.Errorf("hits %d, events %d, results %d, distinct emails %d, tagged contacts %d: all must be equal", hits, evs, results, distinct, tagged)
	}
}
