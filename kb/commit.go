package kb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// DirtyError lists files with uncommitted changes that a sync would write.
type DirtyError struct{ Paths []string }

func (e *DirtyError) Error() string {
	return fmt.Sprintf("kb: %d file(s) have uncommitted changes that this sync would overwrite: %s; commit or stash them, or sync to another branch with --branch",
		len(e.Paths), strings.Join(e.Paths, ", "))
}

// CommitResult says what Commit did.
type CommitResult struct {
	Hash   string // empty when nothing changed
	Branch string
}

// Commit writes the plan as one commit on the branch: objects first (a
// pack moved into place atomically), then, when the branch is checked out,
// the working-tree files and the index, then the branch reference with a
// compare-and-swap. It makes no commit when the tree does not change.
// message receives the results and returns the commit message.
func (p *Plan) Commit(ctx context.Context, message func(*ResultSet, map[Action]int) (string, error)) (CommitResult, error) {
	res := CommitResult{Branch: p.k.Branch()}
	defer p.k.clearWork() // a new knowledge base's pack and staged files
	fail := func(err error) (CommitResult, error) {
		p.Abort() // the pack and the staged files
		return res, err
	}
	results, counts, err := p.Results() // paths for new articles, index pages
	if err != nil {
		return fail(err)
	}
	var baseTree plumbing.Hash
	var parents []plumbing.Hash
	var initial *Encoded
	switch {
	case p.k.pending:
		// A new knowledge base: an empty initial commit on main, then ours.
		empty := Encode(plumbing.TreeObject, nil)
		c, err := p.k.encodeCommit(empty.Hash, nil, "Initialize knowledge base\n")
		if err != nil {
			return fail(err)
		}
		if err := errors.Join(p.pack.add(empty), p.pack.add(c)); err != nil {
			return fail(err)
		}
		initial = &c
		parents = []plumbing.Hash{c.Hash}
	case p.k.parent != nil:
		baseTree = p.k.tree.Hash
		parents = []plumbing.Hash{p.k.parent.Hash}
	}
	if p.changeCount() == 0 && !p.manifestDirty && initial == nil {
		p.Abort() // nothing to commit; staged files go too
		return res, nil
	}
	// Only a commit waits for the disk: a no-op run never syncs it.
	flushed := p.k.flushStage()
	defer flushed()
	var commit *Encoded
	if p.changeCount() > 0 || p.manifestDirty {
		mhash, changed, err := p.addManifest()
		if err != nil {
			return fail(err)
		}
		p.added.close()
		if changed {
			p.changes[ManifestPath] = mhash
		}
		if p.k.checkedOut && !p.k.pending {
			if err := p.checkClean(); err != nil {
				return fail(err)
			}
		}
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		treeHash, err := p.buildTree(baseTree, "", p.changes)
		if err != nil {
			return fail(err)
		}
		if treeHash != baseTree || initial != nil {
			msg, err := message(results, counts)
			if err != nil {
				return fail(err)
			}
			c, err := p.k.encodeCommit(treeHash, parents, msg)
			if err != nil {
				return fail(err)
			}
			if err := p.pack.add(c); err != nil {
				return fail(err)
			}
			commit = &c
		}
	}
	if commit == nil && initial == nil {
		p.Abort()
		return res, nil
	}
	if p.k.pending {
		if err := p.k.createRepo(); err != nil {
			return fail(err)
		}
	}
	p.k.hook("before-pack")
	if _, err := p.pack.finish(filepath.Join(p.k.objectsDir(), "pack")); err != nil {
		return res, err
	}
	p.k.hook("pack")
	// go-git lists packs once per repository value: open it again so the
	// new pack is visible to reads that follow (push, checks).
	repo, err := openRepo(p.k.root)
	if err != nil {
		return res, fmt.Errorf("kb: reopen: %w", err)
	}
	p.k.repo = repo
	if initial != nil {
		// The new repository's main branch starts at the initial commit.
		if err := p.k.repo.Storer.SetReference(plumbing.NewHashReference(mainBranch, initial.Hash)); err != nil {
			return res, fmt.Errorf("kb: %w", err)
		}
		if p.k.branch == mainBranch {
			p.k.tip = plumbing.NewHashReference(mainBranch, initial.Hash)
		}
	}
	if commit == nil {
		return res, nil
	}
	j := &journal{Branch: p.k.branch.String(), New: commit.Hash.String()}
	if p.k.tip != nil {
		j.Old = p.k.tip.Hash().String()
	}
	if p.k.checkedOut {
		// A kill between the first file written and the branch update is
		// finished by the next run: the journal says what was under way.
		if err := p.k.writeJournal(j, p.eachChange); err != nil {
			return res, err
		}
		p.k.hook("journal")
		if err := p.k.applyWorktree(p.eachChange, p.changeCount()); err != nil {
			return res, err
		}
		flushed()
		if err := syncTree(p.k.root); err != nil {
			return res, fmt.Errorf("kb: sync %s: %w", p.k.root, err)
		}
		p.k.clearStage()
		p.k.hook("worktree")
	}
	ref := plumbing.NewHashReference(p.k.branch, commit.Hash)
	if err := p.k.repo.Storer.CheckAndSetReference(ref, p.k.tip); err != nil {
		return res, fmt.Errorf("kb: update %s: %w (did another process move the branch? run kbsync again)", p.k.branch.Short(), err)
	}
	p.k.hook("ref")
	if p.k.checkedOut {
		if err := p.k.removeJournal(); err != nil {
			return res, err
		}
	}
	p.k.tip = ref
	if err := p.k.setParent(commit.Hash); err != nil {
		return res, err
	}
	// The next plan reads the manifest this commit wrote.
	p.k.manifest, p.k.generated = nil, nil
	res.Hash = commit.Hash.String()
	return res, nil
}

// buildTree applies changes (paths relative to dir) to the tree base and
// stores every tree on a changed path; untouched subtrees keep their hash.
func (p *Plan) buildTree(base plumbing.Hash, dir string, changes map[string]plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if f := p.k.dirs[dir]; f != nil && !base.IsZero() && f.hash == base {
		entries = slices.Clone(f.entries) // read by the plan (blobAt)
	} else if !base.IsZero() {
		t, err := p.k.repo.TreeObject(base)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("kb: read tree %s: %w", dir, err)
		}
		entries = append(entries, t.Entries...)
	}
	files := map[string]plumbing.Hash{}
	subdirs := map[string]map[string]plumbing.Hash{}
	cdir := p.k.ContentDir()
	if rest, ok := strings.CutPrefix(cdir, dir+"/"); (ok || dir == "") && p.placed.len() > 0 {
		// The new articles' folder is on this path, though no change may be.
		if dir == "" {
			rest = cdir
		}
		d, _, _ := strings.Cut(rest, "/")
		subdirs[d] = map[string]plumbing.Hash{}
	}
	for name, h := range changes {
		if i := strings.IndexByte(name, '/'); i >= 0 {
			d := name[:i]
			if subdirs[d] == nil {
				subdirs[d] = map[string]plumbing.Hash{}
			}
			subdirs[d][name[i+1:]] = h
		} else {
			files[name] = h
		}
	}
	index := map[string]int{}
	for i, e := range entries {
		index[e.Name] = i
	}
	set := func(name string, mode filemode.FileMode, h plumbing.Hash) {
		if i, ok := index[name]; ok {
			entries[i] = object.TreeEntry{Name: name, Mode: mode, Hash: h}
			return
		}
		index[name] = len(entries)
		entries = append(entries, object.TreeEntry{Name: name, Mode: mode, Hash: h})
	}
	names := make([]string, 0, len(subdirs))
	for d := range subdirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		var sub plumbing.Hash
		if i, ok := index[d]; ok {
			if entries[i].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("kb: %s is a file where kbsync needs a folder", path.Join(dir, d))
			}
			sub = entries[i].Hash
		}
		h, err := p.buildTree(sub, path.Join(dir, d), subdirs[d])
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h.IsZero() {
			files[d] = plumbing.ZeroHash // an emptied folder disappears
			continue
		}
		set(d, filemode.Dir, h)
	}
	for name, h := range files {
		if h.IsZero() {
			if i, ok := index[name]; ok {
				entries[i].Name = "" // dropped below
			}
			continue
		}
		set(name, filemode.Regular, h)
	}
	kept := entries[:0]
	for _, e := range entries {
		if e.Name != "" {
			kept = append(kept, e)
		}
	}
	sort.Sort(object.TreeEntrySorter(kept))
	if dir == cdir && p.placed.len() > 0 {
		return p.contentTree(kept)
	}
	if len(kept) == 0 && dir != "" {
		return plumbing.ZeroHash, nil
	}
	t := &object.Tree{Entries: kept}
	obj := &plumbing.MemoryObject{}
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("kb: encode tree %s: %w", dir, err)
	}
	r, _ := obj.Reader()
	content, _ := io.ReadAll(r)
	enc := Encode(plumbing.TreeObject, content)
	if err := p.pack.add(enc); err != nil {
		return plumbing.ZeroHash, err
	}
	return enc.Hash, nil
}

// contentTree writes the content folder's tree: its entries merged, in
// git's order, with the new articles, through a temporary file, so that a
// tree of a million entries (~70 MB) is never held in memory.
func (p *Plan) contentTree(entries []object.TreeEntry) (plumbing.Hash, error) {
	f, err := os.CreateTemp(p.pack.dir, tmpPackPrefix+"tree-*")
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("kb: content tree: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	w := bufio.NewWriterSize(f, 256<<10)
	var size int64
	put := func(mode filemode.FileMode, name string, h []byte) {
		n, _ := fmt.Fprintf(w, "%o %s\x00", mode, name)
		w.Write(h)
		size += int64(n + len(h))
	}
	sortName := func(e *object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	dirSlash := p.k.ContentDir() + "/"
	err = p.placed.each(func(rec []byte) error {
		full, h, _, ok := placedKey(rec)
		if !ok {
			return errRecord
		}
		name := string(full[len(dirSlash):])
		for len(entries) > 0 && sortName(&entries[0]) < name {
			put(entries[0].Mode, entries[0].Name, entries[0].Hash[:])
			entries = entries[1:]
		}
		put(filemode.Regular, name, h)
		return nil
	})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("kb: content tree: %w", err)
	}
	for _, e := range entries {
		put(e.Mode, e.Name, e.Hash[:])
	}
	if err := w.Flush(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("kb: content tree: %w", err)
	}
	return p.pack.addFile(plumbing.TreeObject, f, size)
}

var errSymlink = errors.New("is a symbolic link; kbsync does not write through links")

// checkClean refuses to overwrite uncommitted work: every path the commit
// changes must, on disk and in the index, hold either the committed content
// or exactly what kbsync is about to write (left by an interrupted run).
func (p *Plan) checkClean() error {
	idx, err := p.k.readIndex()
	if err != nil {
		return err
	}
	// Index.Entry searches linearly: look entries up in a map instead.
	entries := make(map[string]*index.Entry, len(idx.Entries))
	for _, e := range idx.Entries {
		entries[e.Name] = e
	}
	var dirty []string
	root, err := os.OpenRoot(p.k.root)
	if err != nil {
		return fmt.Errorf("kb: %w", err)
	}
	defer root.Close()
	err = p.eachChange(func(name string, want plumbing.Hash) error {
		old, hadOld := p.k.blobAt(name)
		acceptable := func(h plumbing.Hash, present bool) bool {
			if !present {
				return !hadOld || want.IsZero()
			}
			return (hadOld && h == old) || (!want.IsZero() && h == want)
		}
		e, indexed := entries[name]
		disk, present, err := diskHash(root, name, e)
		if err != nil {
			return err
		}
		if !acceptable(disk, present) {
			dirty = append(dirty, name)
			return nil
		}
		if indexed {
			if !acceptable(e.Hash, true) {
				dirty = append(dirty, name)
			}
		} else if hadOld && !want.IsZero() {
			// Committed but removed from the index: a staged deletion.
			dirty = append(dirty, name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(dirty) > 0 {
		return &DirtyError{Paths: dirty}
	}
	return nil
}

// diskHash hashes the working-tree file at name. As git does, a file whose
// size and modification time match its index entry is taken to hold the
// entry's blob without being read: checking 100,000 files stays cheap.
func diskHash(root *os.Root, name string, e *index.Entry) (plumbing.Hash, bool, error) {
	st, err := root.Lstat(name)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return plumbing.ZeroHash, false, nil
	case err != nil:
		return plumbing.ZeroHash, false, fmt.Errorf("kb: %w", err)
	case st.Mode()&os.ModeSymlink != 0:
		return plumbing.ZeroHash, false, fmt.Errorf("kb: %s %w", name, errSymlink)
	case !st.Mode().IsRegular():
		return plumbing.ZeroHash, false, fmt.Errorf("kb: %s is not a regular file", name)
	}
	if e != nil && int64(e.Size) == st.Size() && e.ModifiedAt.Equal(st.ModTime()) {
		return e.Hash, true, nil
	}
	b, err := root.ReadFile(name)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("kb: %w", err)
	}
	return BlobHash(b), true, nil
}
