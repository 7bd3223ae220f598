//go:build linux

package kb

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A write that fails leaves no file behind: a short staged file would pass
// for the article's bytes when the same hash is staged again.
func TestCreateFileRemovesAShortFile(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	// Files of this process may not grow past 1 KiB: the write gets EFBIG
	// (the runtime ignores SIGXFSZ). The limit holds for the whole process,
	// so this test must never run in parallel with another.
	small := syscall.Rlimit{Cur: 1024, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "staged")
	err := createFile(name, make([]byte, 4096))
	if rerr := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("write past the limit: %v", err)
	}
	if _, serr := os.Stat(name); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("the short file stayed: %v", serr)
	}
	// Within the limit it is written whole.
	if err := createFile(name, []byte("whole")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(name); err != nil || string(b) != "whole" {
		t.Fatalf("%q, %v", b, err)
	}
}
