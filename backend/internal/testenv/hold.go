package testenv

import (
	"bufio"
	"os"
	"os/exec"
	"testing"

	"magpie/backend/db"
)

const holdEnv = "MAGPIE_HOLD_STORE"

// HoldStoreChild is the body of a package's TestHoldStore, the entry point HoldStore runs in
// a child process: it opens the store named by MAGPIE_HOLD_STORE, reads it, says "ready" and
// keeps it open until stdin closes. In a normal test run it skips.
func HoldStoreChild(t *testing.T) {
	path := os.Getenv(holdEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	d, err := db.Open(path, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.R.QueryRow("SELECT count(*) FROM meta").Scan(&n); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

// HoldStore opens the store at path in another process (the test binary's TestHoldStore,
// which must call HoldStoreChild) until the returned func is called.
func HoldStore(t *testing.T, path string) func() {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHoldStore$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("holder: %q", line)
	}
	return func() { in.Close(); cmd.Wait() }
}
