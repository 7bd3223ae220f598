package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/forum"
)

// Exit codes, as documented in README.md.
const (
	exitOK    = 0
	exitError = 1 // a runtime failure
	exitUsage = 2 // bad usage, configuration or input
)

// streams are the command's standard streams; commands never touch os.Std*.
type streams struct {
	In       io.Reader
	Out      io.Writer // data: articles, --json reports
	Err      io.Writer // messages for people
	ErrIsTTY bool
	// hook is called at named points of a commit; only tests set it.
	hook func(point string)
}

// usageError marks errors that exit with code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// run executes kbsync with args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, args, &streams{In: stdin, Out: stdout, Err: stderr})
}

// runWith is run with the streams (and test hooks) given.
func runWith(ctx context.Context, args []string, io *streams) int {
	stdin, stdout, stderr := io.In, io.Out, io.Err
	if f, ok := stderr.(*os.File); ok {
		io.ErrIsTTY = term.IsTerminal(int(f.Fd()))
	}
	root := newRootCmd(io)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Ctrl-C or SIGTERM: say so, not "context canceled". What was
		// not committed was not written (see the README's exit codes).
		fmt.Fprintln(stderr, "kbsync: interrupted")
		return exitError
	}
	fmt.Fprintln(stderr, "kbsync: "+forum.OneLine(err.Error()))
	return exitCode(err)
}

func exitCode(err error) int {
	var ue *usageError
	var ke *kb.UsageError
	switch {
	case errors.As(err, &ue), errors.As(err, &ke), forum.IsInput(err):
		return exitUsage
	case errors.Is(err, errFlag):
		return exitUsage
	}
	return exitError
}

var errFlag = errors.New("bad flag")

func newRootCmd(io *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kbsync",
		Short: "Turn the accepted answers of a support forum into a git-backed FAQ knowledge base",
		Long: `kbsync reads forum exports (Stack Exchange data dumps, Discourse topic JSON, ...),
turns every thread with an accepted answer into a Markdown FAQ article that keeps the
asker's and the answerer's own words, and commits the articles to a git repository
that a docs site publishes.`,
		Example: `  # Sync a Stack Exchange dump into a knowledge base
  kbsync sync --from coffee.stackexchange.com --kb ./kb

  # Preview one article without touching anything
  kbsync preview discourse:./topics --id 3785 --site https://discourse.example.com`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.PersistentFlags().String("config", "", "read settings from this kbsync.yaml (default: ./kbsync.yaml when present)")
	// For developers: profile a run (go tool pprof FILE).
	root.PersistentFlags().String("cpuprofile", "", "write a CPU profile to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().String("memprofile", "", "write a heap profile to this file at the live heap's peak")
	root.PersistentFlags().MarkHidden("memprofile")
	var stopProfile, stopHeap func()
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if path, _ := cmd.Flags().GetString("memprofile"); path != "" {
			stopHeap = peakHeapProfile(path)
		}
		path, _ := cmd.Flags().GetString("cpuprofile")
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return usagef("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return usagef("--cpuprofile: %v", err)
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if stopProfile != nil {
			stopProfile()
		}
		if stopHeap != nil {
			stopHeap()
		}
	}
	root.AddCommand(newSyncCmd(io, nil), newPreviewCmd(io, nil), newVersionCmd(io), newInitCmd(io, nil), newReportCmd(io, nil), newCompletionCmd(io), newManCmd(io))
	return root
}
