package kb

import (
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// folder is one folder of the parent tree, kept for lookups by name
// (blobAt) and for the commit, which rebuilds the folders it changes:
// with 100,000 articles in one folder, reading and decoding that tree a
// second time cost a re-sync 0.26 s on the commit's single thread.
type folder struct {
	hash    plumbing.Hash // zero for a folder the tree does not have
	entries []object.TreeEntry
}

// loadFolder reads a folder of t; a missing folder is empty. The entries
// are put in git's order if a tool wrote them out of it, so that lookups
// can search them.
func loadFolder(t *object.Tree, dir string) *folder {
	if dir != "" {
		sub, err := t.Tree(dir)
		if err != nil {
			return &folder{}
		}
		t = sub
	}
	f := &folder{hash: t.Hash, entries: t.Entries}
	if !slices.IsSortedFunc(f.entries, cmpTreeEntry) {
		f.entries = slices.Clone(f.entries)
		slices.SortStableFunc(f.entries, cmpTreeEntry)
	}
	return f
}

// file returns the blob of the file name directly in the folder.
func (f *folder) file(name string) (plumbing.Hash, bool) {
	i, found := slices.BinarySearchFunc(f.entries, name, func(e object.TreeEntry, name string) int {
		return cmpTreeName(e.Name, e.Mode == filemode.Dir, name, false)
	})
	if !found || !f.entries[i].Mode.IsFile() {
		return plumbing.ZeroHash, false
	}
	return f.entries[i].Hash, true
}

// cmpTreeEntry is git's order of tree entries: by name, a folder's name
// compared as if it ended in "/".
func cmpTreeEntry(a, b object.TreeEntry) int {
	return cmpTreeName(a.Name, a.Mode == filemode.Dir, b.Name, b.Mode == filemode.Dir)
}

func cmpTreeName(a string, aDir bool, b string, bDir bool) int {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	// One name is a prefix of the other: the next byte decides, "/" for a
	// folder whose name has ended.
	next := func(s string, dir bool) int {
		switch {
		case len(s) > n:
			return int(s[n])
		case dir:
			return '/'
		}
		return -1
	}
	return next(a, aDir) - next(b, bDir)
}
