package emails

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// journal is a sender instance's record of messages the SMTP server accepted but whose
// "sent" state may not be committed yet. One line (the msg id) is appended with a single
// write(2) right after the server's 250 reply, so it survives a kill -9 of the process
// (the page cache keeps it); the database row is then committed in a batch and the journal
// truncated. On restart, a dead instance's journal tells which of its "sending" rows were
// accepted (mark sent) and which were not (send again with the same Message-ID).
//
// The file is held with an exclusive lock while its instance lives, so another process
// reconciles only the journals of dead instances.
type journal struct {
	mu    sync.Mutex
	f     *os.File
	path  string
	owner string
}

func journalDir(dataDir string) string { return filepath.Join(dataDir, "sendlog") }

func openJournal(dataDir, owner string) (*journal, error) {
	dir := journalDir(dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("emails: send journal: %w", err)
	}
	p := filepath.Join(dir, owner+".log")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("emails: send journal: %w", err)
	}
	if ok, err := tryLock(f); err != nil || !ok {
		f.Close()
		return nil, fmt.Errorf("emails: send journal %s is locked by another process", p)
	}
	return &journal{f: f, path: p, owner: owner}, nil
}

// inflight records that msgID is about to be transmitted (before MAIL FROM). A message
// without this line was certainly never sent; one with it but no acceptance line is in an
// unknown state after a crash (the server may have accepted it while the reply was lost).
func (j *journal) inflight(msgID string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err := j.f.Write([]byte("D\t" + msgID + "\n"))
	return err
}

// accepted records that the server accepted msgID.
func (j *journal) accepted(msgID string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err := j.f.Write([]byte(msgID + "\n"))
	return err
}

// reset empties the journal once its entries are committed.
func (j *journal) reset() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Truncate(0)
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.f.Close()
	os.Remove(j.path)
	return err
}

// deadJournal is the journal of an instance that no longer runs.
type deadJournal struct {
	owner    string
	path     string
	f        *os.File
	accepted map[string]acceptedMsg
	inflight map[string]bool // transmission started (see journal.inflight)
}

type acceptedMsg struct{ variantID, address string }

// journals opens (and locks) every journal in dir whose instance is gone, and lists the
// instances that still run (their journal is locked).
func journals(dataDir string) (dead []*deadJournal, live map[string]bool, err error) {
	live = map[string]bool{}
	entries, err := os.ReadDir(journalDir(dataDir))
	if os.IsNotExist(err) {
		return nil, live, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var out []*deadJournal
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".log") {
			continue
		}
		p := filepath.Join(journalDir(dataDir), name)
		f, err := os.OpenFile(p, os.O_RDWR, 0o600)
		if err != nil {
			continue
		}
		if ok, _ := tryLock(f); !ok {
			f.Close() // a live instance
			live[strings.TrimSuffix(name, ".log")] = true
			continue
		}
		dj := &deadJournal{owner: strings.TrimSuffix(name, ".log"), path: p, f: f, accepted: map[string]acceptedMsg{},
			inflight: map[string]bool{}}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			parts := strings.Split(strings.TrimSpace(sc.Text()), "\t")
			switch {
			case len(parts) == 3 && parts[0] != "":
				dj.accepted[parts[0]] = acceptedMsg{variantID: parts[1], address: parts[2]}
			case len(parts) == 2 && parts[0] == "D":
				dj.inflight[parts[1]] = true
			}
		}
		out = append(out, dj)
	}
	return out, live, nil
}

// done removes a reconciled journal.
func (d *deadJournal) done() {
	os.Remove(d.path)
	d.f.Close()
}
