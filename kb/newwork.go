package kb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// workPrefix names the folder that a first sync keeps inside the new
// knowledge base's folder until it commits: the pack, the staged
// articles, the spilled records. They used to go to the system's
// temporary folder, which on many systems (Debian 13, Fedora, Arch) is a
// tmpfs in memory of half the RAM: a first sync of 10,000 threads needs
// ~90 MB there, a million ~9 GB, and it failed with "no space left on
// device"; and staged files on another file system cannot be renamed
// into place, so each was written a second time from the pack.
const workPrefix = ".kbsync-new-"

// newWork returns the work folder of a knowledge base that does not
// exist yet, making it (and the knowledge base's folder, when missing) on
// first use. When the folder cannot be made there (its parent is
// missing, or not writable) it falls back to the temporary folder.
func (k *KB) newWork() (string, error) {
	if k.work != "" {
		return k.work, nil
	}
	err := os.Mkdir(k.root, 0o755)
	made := err == nil
	if made || errors.Is(err, os.ErrExist) {
		if dir, err := os.MkdirTemp(k.root, workPrefix+"*"); err == nil {
			k.work, k.madeRoot = dir, made
			return dir, nil
		}
		if made {
			os.Remove(k.root)
		}
	}
	dir, err := os.MkdirTemp("", "kbsync-new-*")
	if err != nil {
		return "", fmt.Errorf("kb: %w", err)
	}
	k.work = dir
	return dir, nil
}

// clearWork removes the work folder, and the knowledge base's folder when
// this run made it and the repository was not created: a failed first
// run leaves no folder behind.
func (k *KB) clearWork() {
	if k.work == "" {
		return
	}
	os.RemoveAll(k.work)
	k.work = ""
	if k.madeRoot && k.pending {
		os.Remove(k.root) // only when empty
	}
	k.madeRoot = false
}

// isLeftover reports whether an entry of the knowledge base's folder is
// the work folder of a killed first sync (the caller holds the run lock,
// so none is in use).
func isLeftover(e os.DirEntry) bool {
	return e.IsDir() && strings.HasPrefix(e.Name(), workPrefix)
}

// removeLeftovers removes the work folders a killed first sync left in
// the knowledge base's folder, unless this is a dry run, which writes
// nothing.
func (k *KB) removeLeftovers() {
	if k.opts.DryRun {
		return
	}
	entries, _ := os.ReadDir(k.root)
	for _, e := range entries {
		if isLeftover(e) {
			os.RemoveAll(filepath.Join(k.root, e.Name()))
		}
	}
}
