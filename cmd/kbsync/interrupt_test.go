package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A run stopped by Ctrl-C or SIGTERM (the context main cancels) says it
// was interrupted, exits 1 and leaves no knowledge base behind.
func TestInterruptedRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	kbDir := filepath.Join(t.TempDir(), "kb")
	var out, errb bytes.Buffer
	code := runWith(ctx, []string{"sync", "--from", "../../testdata/corpus/stackexchange/coffee-2015",
		"--site", "https://coffee.stackexchange.com", "--kb", kbDir}, &streams{Out: &out, Err: &errb})
	if code != exitError || errb.String() != "kbsync: interrupted\n" {
		t.Fatalf("exit %d, stderr %q; want %d and \"kbsync: interrupted\"", code, errb.String(), exitError)
	}
	if _, err := os.Stat(kbDir); !os.IsNotExist(err) {
		t.Errorf("the interrupted first sync left %s (%v)", kbDir, err)
	}
}
