package sync

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/kb"
)

// newKBExport writes a JSON Lines export of n solved threads, plus, when
// bad, a last line that is not JSON.
func newKBExport(t *testing.T, n int, bad bool) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		m := &modelThread{id: string(rune('a'+i%26)) + strings.Repeat("x", i/26), present: true, solved: true, title: 1, answer: 1, question: 1}
		b.WriteString(m.line() + "\n")
	}
	if bad {
		b.WriteString("{\"id\": \"broken\", \"title\": \n")
	}
	f := filepath.Join(t.TempDir(), "export.jsonl")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A first sync keeps its pack and staged articles inside the new
// knowledge base's folder, not in the temporary folder (a tmpfs on many
// systems, too small for a big first sync), and removes them once done.
func TestFirstSyncWorksInsideTheKB(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	kbDir := filepath.Join(t.TempDir(), "kb")
	export := newKBExport(t, 30, false)
	var inTmp, inKB []string
	rep, err := Run(context.Background(), Options{
		Sources: []Source{{Format: "jsonl", Path: export, Site: "https://forum.example.com"}},
		KB: kb.Options{Path: kbDir, Hook: func(point string) {
			if point == "before-pack" {
				inTmp, inKB = dirNames(t, tmp), dirNames(t, kbDir)
			}
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts.Added != 30 {
		t.Fatalf("added %d, want 30", rep.Counts.Added)
	}
	// The run lock of a knowledge base without .git is the only file.
	for _, n := range inTmp {
		if !strings.HasPrefix(n, "kbsync-") || !strings.HasSuffix(n, ".lock") {
			t.Errorf("the temporary folder holds %s during the commit", n)
		}
	}
	work := 0
	for _, n := range inKB {
		if strings.HasPrefix(n, ".kbsync-new-") {
			work++
		}
	}
	if work != 1 {
		t.Errorf("the knowledge base held %q during the commit, want one .kbsync-new-* folder", inKB)
	}
	for _, n := range dirNames(t, kbDir) {
		if strings.HasPrefix(n, ".kbsync-new-") {
			t.Errorf("%s is left after the sync", n)
		}
	}
	if out := gitCLI(t, kbDir, "status", "--porcelain", "--ignored"); out != "" {
		t.Errorf("git status after the first sync:\n%s", out)
	}
}

// A first sync that fails leaves the folder as it found it: absent, or
// empty.
func TestFailedFirstSyncLeavesNoWork(t *testing.T) {
	bad := newKBExport(t, 5, true)
	for _, existed := range []bool{false, true} {
		kbDir := filepath.Join(t.TempDir(), "kb")
		if existed {
			if err := os.Mkdir(kbDir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Run(context.Background(), Options{
			Sources: []Source{{Format: "jsonl", Path: bad, Site: "https://forum.example.com"}},
			KB:      kb.Options{Path: kbDir},
		})
		if err == nil {
			t.Fatal("a sync of a broken export succeeded")
		}
		entries, statErr := os.ReadDir(kbDir)
		switch {
		case !existed && !os.IsNotExist(statErr):
			t.Errorf("the failed first sync left %s (%v)", kbDir, statErr)
		case existed && (statErr != nil || len(entries) != 0):
			t.Errorf("the folder that was empty holds %v after the failed sync (%v)", entries, statErr)
		}
	}
}

// The work folder of a first sync killed before or after it made the
// repository is removed by the next run, which treats a folder holding
// only that as empty.
func TestLeftoverWorkIsRemoved(t *testing.T) {
	export := newKBExport(t, 10, false)
	leave := func(kbDir string) string {
		left := filepath.Join(kbDir, ".kbsync-new-123", "stage-1")
		if err := os.MkdirAll(left, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(left, "x"), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
		return filepath.Dir(left)
	}
	sync := func(kbDir string) {
		t.Helper()
		if _, err := Run(context.Background(), Options{
			Sources: []Source{{Format: "jsonl", Path: export, Site: "https://forum.example.com"}},
			KB:      kb.Options{Path: kbDir},
		}); err != nil {
			t.Fatal(err)
		}
	}
	kbDir := filepath.Join(t.TempDir(), "kb")
	left := leave(kbDir) // killed before the repository was made
	sync(kbDir)
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("%s is still there after a first sync (%v)", left, err)
	}
	left = leave(kbDir) // killed after
	sync(kbDir)
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("%s is still there after a re-sync (%v)", left, err)
	}
	if out := gitCLI(t, kbDir, "status", "--porcelain", "--ignored"); out != "" {
		t.Errorf("git status:\n%s", out)
	}
	// Anything else still makes the folder not empty.
	other := filepath.Join(t.TempDir(), "kb")
	leave(other)
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{
		Sources: []Source{{Format: "jsonl", Path: export, Site: "https://forum.example.com"}},
		KB:      kb.Options{Path: other},
	})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a folder with a person's file and a leftover: %v, want a not-empty error", err)
	}
}

// A sync that does not touch a working tree (another branch here; a
// remote knowledge base's bare cache too) writes its manifest beside the
// pack, on the repository's disk: the temporary folder may be memory, and
// a million articles make 394 MB of manifest.
func TestBranchSyncNeedsNoTempFolder(t *testing.T) {
	kbDir := filepath.Join(t.TempDir(), "kb")
	first := newKBExport(t, 10, false)
	if _, err := Run(context.Background(), Options{
		Sources: []Source{{Format: "jsonl", Path: first, Site: "https://forum.example.com"}},
		KB:      kb.Options{Path: kbDir},
	}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	rep, err := Run(context.Background(), Options{
		Sources: []Source{{Format: "jsonl", Path: newKBExport(t, 20, false), Site: "https://forum.example.com"}},
		KB:      kb.Options{Path: kbDir, Branch: "kbsync/nightly"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts.Added != 10 || rep.Commit == "" {
		t.Fatalf("added %d, commit %q; want 10 and a commit", rep.Counts.Added, rep.Commit)
	}
	if out := gitCLI(t, kbDir, "status", "--porcelain", "--ignored"); out != "" {
		t.Errorf("git status:\n%s", out)
	}
	if out := gitCLI(t, kbDir, "count-objects", "-v"); !strings.Contains(out, "count: 0") {
		t.Errorf("loose objects or leftovers after the sync:\n%s", out)
	}
	left, _ := filepath.Glob(filepath.Join(kbDir, ".git", "objects", "pack", "tmp_*"))
	if len(left) > 0 {
		t.Errorf("temporary files left beside the packs: %v", left)
	}
}
