//go:build linux

package kb

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree flushes the working tree's file system once, so that the files
// written without a per-file fsync are on disk before the branch moves.
func syncTree(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
