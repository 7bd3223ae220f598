package kb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// LockedError says another kbsync run holds the knowledge base.
type LockedError struct {
	Path  string
	Owner string // what the holder wrote in the lock file, e.g. "pid 123"
}

func (e *LockedError) Error() string {
	msg := "kb: another kbsync run is using " + e.Path
	if e.Owner != "" {
		msg += " (" + e.Owner + ")"
	}
	return msg + "; wait for it to finish, or raise --lock-timeout"
}

// Lock takes the knowledge base's run lock, waiting up to wait for another
// run to finish. The lock is an flock(2) on .git/kbsync.lock, which the
// kernel releases if the process dies, so a crash never leaves it stale.
// The returned function releases it.
func Lock(ctx context.Context, path string, wait time.Duration) (func(), error) {
	root, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("kb: %w", err)
	}
	file := filepath.Join(root, ".git", "kbsync.lock")
	if st, err := os.Stat(filepath.Join(root, ".git")); err != nil || !st.IsDir() {
		// No repository yet (or a .git file): lock a file keyed by the path.
		sum := sha256.Sum256([]byte(root))
		file = filepath.Join(os.TempDir(), "kbsync-"+hex.EncodeToString(sum[:8])+".lock")
	}
	fl := flock.New(file)
	ok, err := fl.TryLock()
	if err == nil && !ok && wait > 0 {
		tctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(tctx, 100*time.Millisecond)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kb: lock %s: %w", file, err)
	}
	if !ok {
		owner, _ := os.ReadFile(file)
		return nil, &LockedError{Path: root, Owner: strings.TrimSpace(string(owner))}
	}
	// Say who holds it, for the message the next run prints.
	os.WriteFile(file, []byte("pid "+strconv.Itoa(os.Getpid())+" since "+time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
	return func() { fl.Unlock() }, nil
}
