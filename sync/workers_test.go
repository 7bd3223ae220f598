package sync

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/redact"
)

// TestOutputSameWhateverWorkers syncs the same exports with 1 and with 5
// workers: the committed trees (articles, paths, manifest) are identical.
func TestOutputSameWhateverWorkers(t *testing.T) {
	dir := t.TempDir()
	sources := []Source{
		{Path: "../testdata/corpus/stackexchange/french-meta-2021", Site: "https://french.meta.stackexchange.com"},
		{Path: "../testdata/corpus/stackexchange/coffee-2015", Site: "https://coffee.stackexchange.com"},
		{Path: "../testdata/corpus/discourse/urho3d", Site: "https://discourse.urho3d.io"},
	}
	var trees []string
	for _, workers := range []int{1, 5} {
		kbDir := filepath.Join(dir, "kb", string(rune('0'+workers)))
		_, err := Run(context.Background(), Options{Sources: sources, Workers: workers,
			KB: kb.Options{Path: kbDir, Now: func() time.Time { return time.Unix(1700000000, 0) }}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("git", "-C", kbDir, "rev-parse", "HEAD^{tree}").CombinedOutput()
		if err != nil {
			t.Fatalf("git: %v %s", err, out)
		}
		trees = append(trees, strings.TrimSpace(string(out)))
	}
	if trees[0] != trees[1] {
		t.Errorf("1 worker made tree %s, 5 workers made %s", trees[0], trees[1])
	}
}

// TestDefaultRedactor builds the default redaction rules, which sync
// compiles lazily and assumes cannot fail.
func TestDefaultRedactor(t *testing.T) {
	r, err := newRendererFor("", "", redact.Config{Region: "US"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := r.redactor().Plain("mail jane.customer@acme-mail.com"); out == "mail jane.customer@acme-mail.com" {
		t.Error("the default rules redacted nothing")
	}
}
