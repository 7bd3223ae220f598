//go:build !linux

package kb

import (
	"os"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

func fillStat(e *index.Entry, st os.FileInfo) { e.CreatedAt = st.ModTime() }
