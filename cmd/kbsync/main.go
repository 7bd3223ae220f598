// Command kbsync turns the accepted answers of forum exports into a
// git-backed FAQ knowledge base.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Set by the release build (see .goreleaser.yaml).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopGovernor := governMemory()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopGovernor()
	stop()
	os.Exit(code)
}
