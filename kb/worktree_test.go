package kb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The git index is read once for the check and the update of the working
// tree, but a change git makes in between is seen.
func TestReadIndexSeesChanges(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("a.md")
	git("add", "a.md")
	git("commit", "-q", "-m", "a")
	k, err := Open(context.Background(), Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	first, err := k.readIndex()
	if err != nil || len(first.Entries) != 1 {
		t.Fatalf("first read: %v, %d entries", err, len(first.Entries))
	}
	again, err := k.readIndex()
	if err != nil || again != first {
		t.Fatalf("an unchanged index is read again (%v)", err)
	}
	write("b.md")
	git("add", "b.md")
	after, err := k.readIndex()
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Entries) != 2 {
		t.Fatalf("after git add: %d entries, want 2: the cached index was used", len(after.Entries))
	}
}
