package main

import (
	"os"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/sync/forum/github"
)

// TestReadme keeps the README's promises in step with the code: the
// GitHub export command is the one the reader is built for, and the two
// commands at the top are the ones CI and the examples script run.
func TestReadme(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if !strings.Contains(readme, github.ExportCommand) {
		t.Error("README.md does not quote github.ExportCommand exactly")
	}
	for _, cmd := range []string{
		"go run ./cmd/kbsync sync --config examples/kbsync.yaml --kb \"$(mktemp -d)/kb\"",
		"go test ./...",
	} {
		if !strings.Contains(readme[:2000], cmd) {
			t.Errorf("README.md does not give %q near the top", cmd)
		}
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "\ngo test ./...\n") {
		t.Error(".ci/run does not run the README's test command")
	}
}
