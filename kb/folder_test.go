package kb

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// A folder finds every file of a tree by name, whatever the order the
// tree was written in, and never a folder, a missing name or a name that
// only prefixes another: git's order puts folder "a" after "a.b" and
// before "a0".
func TestFolder(t *testing.T) {
	names := []string{"a", "a.b", "a-b", "a0", "a.md", "b", "ab", "é.md", "Z", "a b", "ax"}
	var entries []object.TreeEntry
	for i, n := range names {
		mode := filemode.Regular
		switch i % 4 {
		case 0:
			mode = filemode.Dir
		case 3:
			mode = filemode.Executable
		}
		entries = append(entries, object.TreeEntry{Name: n, Mode: mode, Hash: plumbing.NewHash(fmt.Sprintf("%040x", i+1))})
	}
	for i := range 300 {
		entries = append(entries, object.TreeEntry{Name: fmt.Sprintf("how-do-i-%d.md", i), Mode: filemode.Regular,
			Hash: plumbing.NewHash(fmt.Sprintf("%040x", 1000+i))})
	}
	gitOrder := slices.Clone(entries)
	sort.Sort(object.TreeEntrySorter(gitOrder))
	if !slices.IsSortedFunc(gitOrder, cmpTreeEntry) {
		t.Fatal("cmpTreeEntry disagrees with go-git's order of tree entries")
	}
	shuffled := slices.Clone(entries)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, tc := range []struct {
		name    string
		entries []object.TreeEntry
	}{{"git order", gitOrder}, {"shuffled", shuffled}} {
		f := loadFolder(&object.Tree{Entries: tc.entries}, "")
		for _, e := range entries {
			h, ok := f.file(e.Name)
			if want := e.Mode.IsFile(); ok != want || (want && h != e.Hash) {
				t.Errorf("%s: file(%q) = %v, %v; the entry is %v %v", tc.name, e.Name, h, ok, e.Mode, e.Hash)
			}
		}
		for _, missing := range []string{"", "a.", "how-do-i-1", "how-do-i-300.md", "zz"} {
			if _, ok := f.file(missing); ok {
				t.Errorf("%s: file(%q) found", tc.name, missing)
			}
		}
	}
	if _, ok := (&folder{}).file("a"); ok {
		t.Error("an empty folder has a file")
	}
}
