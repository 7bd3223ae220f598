package kb

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// journal records a commit whose working-tree update is under way.
type journal struct {
	Branch string   `json:"branch"`
	Old    string   `json:"old"` // the branch's tip before, or "" for a new branch
	New    string   `json:"new"` // the commit being checked out
	Paths  []string `json:"paths"`
}

func (k *KB) journalPath() string { return filepath.Join(k.gitDir(), "kbsync", "journal.json") }

// writeJournal writes j with the paths each hands out, streamed: a first
// sync of a million articles journals ~70 MB of paths.
func (k *KB) writeJournal(j *journal, each func(fn func(name string, h plumbing.Hash) error) error) error {
	dir := filepath.Dir(k.journalPath())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("kb: journal: %w", err)
	}
	tmp := k.journalPath() + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("kb: journal: %w", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	str := func(s string) {
		b, _ := json.Marshal(s) // a string cannot fail
		w.Write(b)
	}
	w.WriteString(`{"branch":`)
	str(j.Branch)
	w.WriteString(`,"old":`)
	str(j.Old)
	w.WriteString(`,"new":`)
	str(j.New)
	w.WriteString(`,"paths":[`)
	n := 0
	err = each(func(name string, _ plumbing.Hash) error {
		if n > 0 {
			w.WriteByte(',')
		}
		n++
		str(name)
		return nil
	})
	w.WriteString("]}")
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, k.journalPath())
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("kb: journal: %w", err)
	}
	syncDir(dir)
	return nil
}

func (k *KB) removeJournal() error {
	if err := os.Remove(k.journalPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("kb: journal: %w", err)
	}
	return nil
}

// recover finishes a commit that an earlier run was killed in the middle of
// checking out. The commit's objects are complete before the journal is
// written, so the run is rolled forward: the journaled files and index
// entries are set to the new commit, then the branch is moved to it if it
// still points where that run left it. It reports what it did.
func (k *KB) recover() (string, error) {
	jst, err := os.Stat(k.journalPath())
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("kb: journal: %w", err)
	}
	b, err := os.ReadFile(k.journalPath())
	if err != nil {
		return "", fmt.Errorf("kb: journal: %w", err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil || j.New == "" {
		return "", fmt.Errorf("kb: %s is damaged; if no kbsync run is under way, remove it and check `git status`", k.journalPath())
	}
	name := plumbing.ReferenceName(j.Branch)
	cur, err := k.repo.Storer.Reference(name)
	var at string
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return "", fmt.Errorf("kb: read %s: %w", name, err)
	default:
		at = cur.Hash().String()
	}
	if at != j.Old && at != j.New {
		// The branch moved on since: leave the files for a person to judge.
		if err := k.removeJournal(); err != nil {
			return "", err
		}
		return fmt.Sprintf("an interrupted sync of %s was abandoned because the branch moved; check `git status`", name.Short()), nil
	}
	commit, err := k.repo.CommitObject(plumbing.NewHash(j.New))
	if err != nil {
		return "", fmt.Errorf("kb: journal names commit %s: %w", j.New, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return "", fmt.Errorf("kb: %w", err)
	}
	changes := map[string]plumbing.Hash{}
	dirs := map[string]*folder{}
	for _, p := range j.Paths {
		dir, name := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if dirs[dir] == nil {
			dirs[dir] = loadFolder(tree, dir)
		}
		changes[p], _ = dirs[dir].file(name) // ZeroHash: removed by the commit
	}
	// The killed run may have died holding index.lock. It wrote the lock
	// after the journal; we hold kbsync's run lock, so a lock that new is
	// its own (a git command started since would be a rare coincidence,
	// and it only fails and asks to be run again).
	lock := filepath.Join(k.gitDir(), "index.lock")
	if lst, err := os.Stat(lock); err == nil && !lst.ModTime().Before(jst.ModTime()) {
		if err := os.Remove(lock); err != nil {
			return "", fmt.Errorf("kb: remove the interrupted run's %s: %w", lock, err)
		}
	}
	if err := k.applyWorktree(eachOf(changes), len(changes)); err != nil {
		return "", err
	}
	if at == j.Old {
		var old *plumbing.Reference
		if cur != nil {
			old = cur
		}
		if err := k.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, commit.Hash), old); err != nil {
			return "", fmt.Errorf("kb: update %s: %w", name.Short(), err)
		}
	}
	if err := k.removeJournal(); err != nil {
		return "", err
	}
	return fmt.Sprintf("finished the interrupted sync commit %s on %s", j.New[:12], name.Short()), nil
}

// hook lets tests stop the process at a named point of a commit.
func (k *KB) hook(point string) {
	if k.opts.Hook != nil {
		k.opts.Hook(point)
	}
}
