//go:build linux

package kb

import (
	"os"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// fillStat copies the stat data git compares to notice changed files.
func fillStat(e *index.Entry, st os.FileInfo) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		e.Dev, e.Inode = uint32(s.Dev), uint32(s.Ino)
		e.UID, e.GID = s.Uid, s.Gid
		e.CreatedAt = time.Unix(int64(s.Ctim.Sec), int64(s.Ctim.Nsec))
	}
}
