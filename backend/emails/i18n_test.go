package emails

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestErrorKeysHaveUIStrings: every emails.errors.* key the backend (emails, sending, the
// app facade) can return has an English string in the UI dictionary; French is enforced by
// the dictionary's type (Record<keyof typeof emailsEn, string>).
func TestErrorKeysHaveUIStrings(t *testing.T) {
	dict, err := os.ReadFile("../../frontend/src/i18n/emails.ts")
	if err != nil {
		t.Skip("frontend not checked out:", err)
	}
	keyRE := regexp.MustCompile(`"(emails\.errors\.[A-Za-z]+)"`)
	used := map[string]string{}
	for _, dir := range []string{".", "../sending", "../../app", "../../app/cli"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys: the scan is broken", len(used))
	}
	var missing []string
	for k, f := range used {
		if !strings.Contains(string(dict), `"`+k+`":`) {
			missing = append(missing, k+" ("+f+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("error keys without a UI string in frontend/src/i18n/emails.ts:\n%s", strings.Join(missing, "\n"))
	}
}
