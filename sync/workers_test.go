package sync

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/redact"
)

// TestOutputSameWhateverWorkers syncs the same exports with 1 and with 5
// workers, and with the new articles sorted in memory or in runs on disk:
// the commits (articles, paths, manifest, message) and the reports are
// identical, and git finds the result sound.
func TestOutputSameWhateverWorkers(t *testing.T) {
	dir := t.TempDir()
	sources := []Source{
		{Path: "../testdata/corpus/stackexchange/french-meta-2021", Site: "https://french.meta.stackexchange.com"},
		{Path: "../testdata/corpus/stackexchange/coffee-2015", Site: "https://coffee.stackexchange.com"},
		{Path: "../testdata/corpus/discourse/urho3d", Site: "https://discourse.urho3d.io"},
	}
	type outcome struct{ commit, report string }
	var outs []outcome
	for i, c := range []struct{ workers, sortBudget int }{{1, 0}, {5, 0}, {5, 1}, {2, 4096}} {
		kbDir := filepath.Join(dir, "kb", strconv.Itoa(i))
		rep, err := Run(context.Background(), Options{Sources: sources, Workers: c.workers,
			KB: kb.Options{Path: kbDir, Now: func() time.Time { return time.Unix(1700000000, 0) }, SortBudget: c.sortBudget}})
		if err != nil {
			t.Fatal(err)
		}
		var report bytes.Buffer
		if err := rep.WriteJSON(&report); err != nil {
			t.Fatal(err)
		}
		if rep.Counts.Added < 100 {
			t.Fatalf("only %d articles: too few to sort in runs", rep.Counts.Added)
		}
		rep.Close()
		git := func(args ...string) string {
			out, err := exec.Command("git", append([]string{"-C", kbDir}, args...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("git %v: %v %s", args, err, out)
			}
			return strings.TrimSpace(string(out))
		}
		if st := git("status", "--porcelain"); st != "" {
			t.Errorf("%+v: git status:\n%s", c, st)
		}
		git("fsck", "--strict")
		outs = append(outs, outcome{git("rev-parse", "HEAD"), report.String()})
	}
	for i := 1; i < len(outs); i++ {
		if outs[i].commit != outs[0].commit {
			t.Errorf("run %d made commit %s, run 0 made %s", i, outs[i].commit, outs[0].commit)
		}
		if outs[i].report != outs[0].report {
			t.Errorf("run %d reported otherwise than run 0", i)
		}
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
