package kb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// eachOf lists changes in name order, as applyWorktree reads them.
func eachOf(changes map[string]plumbing.Hash) func(fn func(name string, h plumbing.Hash) error) error {
	return func(fn func(string, plumbing.Hash) error) error {
		for _, name := range sortedKeys(changes) {
			if err := fn(name, changes[name]); err != nil {
				return err
			}
		}
		return nil
	}
}

func sortedKeys(m map[string]plumbing.Hash) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// cachedIndex is the git index as read, with the file's state then.
type cachedIndex struct {
	idx *index.Index
	st  os.FileInfo
}

// readIndex reads the git index, once for the check of the working tree
// and its update (each read took ~0.2 s at 100,000 entries). The copy
// serves while the file is the same one, with the same size and time: git
// replaces the index through a new file.
func (k *KB) readIndex() (*index.Index, error) {
	st, serr := os.Stat(filepath.Join(k.gitDir(), "index"))
	if c := k.index; c != nil && serr == nil && os.SameFile(c.st, st) && c.st.Size() == st.Size() && c.st.ModTime().Equal(st.ModTime()) {
		return c.idx, nil
	}
	idx, err := k.repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("kb: read index: %w", err)
	}
	k.index = nil
	if serr == nil {
		k.index = &cachedIndex{idx: idx, st: st} // the state before the read: a change during it reads again
	}
	return idx, nil
}

// tmpSuffix marks kbsync's temporary files in the working tree.
const tmpSuffix = ".kbsync-tmp"

// applyWorktree makes the checked-out files and the index match changes
// (path -> blob; ZeroHash removes). Every write goes through os.Root, so no
// path can leave the working tree, and each file is replaced atomically.
// The new index is written as the files are, merged from the old one in
// name order: no entry of it is held for the whole run.
func (k *KB) applyWorktree(changes func(fn func(name string, h plumbing.Hash) error) error, n int) error {
	root, err := os.OpenRoot(k.root)
	if err != nil {
		return fmt.Errorf("kb: %w", err)
	}
	defer root.Close()
	idx, err := k.readIndex()
	if err != nil {
		return err
	}
	k.index = nil // rewritten below
	old := idx.Entries
	sort.SliceStable(old, func(i, j int) bool { return old[i].Name < old[j].Name })
	// The header announces the count: every old entry of a changed path
	// goes, one entry comes for each path that is written.
	count, extended := len(old), false
	for _, e := range old {
		extended = extended || e.IntentToAdd || e.SkipWorktree
	}
	seen := 0
	err = changes(func(name string, h plumbing.Hash) error {
		seen++
		i := sort.Search(len(old), func(i int) bool { return old[i].Name >= name })
		for ; i < len(old) && old[i].Name == name; i++ {
			count--
		}
		if !h.IsZero() {
			count++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if seen != n {
		return fmt.Errorf("kb: %d changes announced, %d listed", n, seen)
	}
	tmp := filepath.Join(k.gitDir(), "kbsync", "index.new")
	if err := os.MkdirAll(filepath.Dir(tmp), 0o755); err != nil {
		return fmt.Errorf("kb: write index: %w", err)
	}
	iw, err := newIndexWriter(tmp, count, extended)
	if err != nil {
		return fmt.Errorf("kb: write index: %w", err)
	}
	done := false
	defer func() {
		if !done {
			iw.abort()
		}
	}()
	// A worker may have written the file already: rename it into place.
	staged := func(h plumbing.Hash, name string) bool {
		src := stagedFile(k.stageDir(), h.String())
		if k.created {
			// A new knowledge base: its folders were just made by this
			// run, so no link can be in the way, and os.Root's walk of
			// both paths (five system calls a file) is not needed.
			return renameFile(src, filepath.Join(k.root, filepath.FromSlash(name))) == nil
		}
		if rel, err := filepath.Rel(k.root, src); err == nil && filepath.IsLocal(rel) {
			return root.Rename(filepath.ToSlash(rel), name) == nil
		}
		return os.Rename(src, filepath.Join(k.root, filepath.FromSlash(name))) == nil
	}
	subs := map[string]*os.Root{} // one handle per folder: opening a path in a Root walks it
	defer func() {
		for _, r := range subs {
			r.Close()
		}
	}()
	// copyOld writes the old entries that sort before name (all when name
	// is "") and skips those of name itself.
	next := 0
	copyOld := func(name string) error {
		for ; next < len(old) && (name == "" || old[next].Name < name); next++ {
			if err := iw.add(old[next]); err != nil {
				return err
			}
		}
		for ; next < len(old) && old[next].Name == name; next++ {
		}
		return nil
	}
	checked := map[string]bool{}
	err = changes(func(name string, h plumbing.Hash) error {
		dir := path.Dir(name)
		fresh := !checked[dir]
		if err := checkNoLinks(root, dir, checked); err != nil {
			return err
		}
		if fresh {
			cleanTemp(root, dir) // left by a run killed while writing
		}
		if err := copyOld(name); err != nil {
			return fmt.Errorf("kb: write index: %w", err)
		}
		if h.IsZero() {
			if err := root.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("kb: remove %s: %w", name, err)
			}
			return nil
		}
		sub := subs[dir]
		if sub == nil {
			if sub, err = root.OpenRoot(dir); err != nil {
				return fmt.Errorf("kb: %w", err)
			}
			subs[dir] = sub
		}
		base := path.Base(name)
		var st os.FileInfo
		if staged(h, name) {
			if st, err = sub.Lstat(base); err != nil {
				return fmt.Errorf("kb: %w", err)
			}
		} else {
			content, err := k.blob(h)
			if err != nil {
				return err
			}
			if st, err = writeAtomic(sub, base, content); err != nil {
				return err
			}
		}
		e := index.Entry{Name: name, Hash: h, Mode: filemode.Regular, Size: uint32(st.Size()), ModifiedAt: st.ModTime()}
		fillStat(&e, st)
		if err := iw.add(&e); err != nil {
			return fmt.Errorf("kb: write index: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := copyOld(""); err != nil {
		return fmt.Errorf("kb: write index: %w", err)
	}
	done = true
	if err := iw.finish(); err != nil {
		return fmt.Errorf("kb: write index: %w", err)
	}
	return k.replaceIndex(tmp)
}

// checkNoLinks refuses a folder path with a symbolic link in it: a link
// planted in the knowledge base must not redirect kbsync's writes.
func checkNoLinks(root *os.Root, dir string, checked map[string]bool) error {
	if dir == "." || dir == "" || checked[dir] {
		return nil
	}
	if err := checkNoLinks(root, path.Dir(dir), checked); err != nil {
		return err
	}
	st, err := root.Lstat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := root.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("kb: create %s: %w", dir, err)
		}
	case err != nil:
		return fmt.Errorf("kb: %w", err)
	case st.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("kb: %s %w", dir, errSymlink)
	case !st.IsDir():
		return fmt.Errorf("kb: %s is not a folder", dir)
	}
	checked[dir] = true
	return nil
}

// writeAtomic replaces name with content: a temporary file renamed over
// the old one, so a killed process leaves the old or the new file. Data
// reaches the disk with one file-system sync before the branch moves
// (syncTree), not one fsync per file.
func writeAtomic(root *os.Root, name string, content []byte) (os.FileInfo, error) {
	if st, err := root.Lstat(name); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("kb: %s %w", name, errSymlink)
	}
	tmp := name + tmpSuffix
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("kb: write %s: %w", name, err)
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		root.Remove(tmp)
		return nil, fmt.Errorf("kb: write %s: %w", name, err)
	}
	st, err := root.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("kb: %w", err)
	}
	return st, nil
}

// replaceIndex makes the written index file tmp .git/index. It takes
// index.lock first, as git does, which keeps out a git process working at
// the same time, then renames the file through the lock into place.
func (k *KB) replaceIndex(tmp string) error {
	dir := k.gitDir()
	lock := filepath.Join(dir, "index.lock")
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		os.Remove(tmp)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("kb: %s exists: another git process is running; if none is, remove the file manually to continue", lock)
		}
		return fmt.Errorf("kb: %w", err)
	}
	f.Close()
	k.hook("index") // tests kill the process here, holding index.lock
	err = os.Rename(tmp, lock)
	if err == nil {
		err = os.Rename(lock, filepath.Join(dir, "index"))
	}
	if err != nil {
		os.Remove(lock)
		os.Remove(tmp)
		return fmt.Errorf("kb: write index: %w", err)
	}
	return nil
}

// blob reads an object's content.
func (k *KB) blob(h plumbing.Hash) ([]byte, error) {
	b, err := k.repo.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("kb: read blob %s: %w", h, err)
	}
	r, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("kb: read blob %s: %w", h, err)
	}
	defer r.Close()
	// Sized once: io.ReadAll grows by doubling, copying a large manifest
	// several times.
	buf := bytes.NewBuffer(make([]byte, 0, b.Size+1))
	_, err = buf.ReadFrom(r)
	return buf.Bytes(), err
}

// cleanTemp removes temporary files an interrupted run left in dir.
func cleanTemp(root *os.Root, dir string) {
	f, err := root.Open(dir)
	if err != nil {
		return
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	for _, n := range names {
		if strings.HasSuffix(n, tmpSuffix) {
			root.Remove(path.Join(dir, n))
		}
	}
}
