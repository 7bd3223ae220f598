package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var (
	update = flag.Bool("update", false, "rewrite the golden parts of the scripts")
	filter = flag.String("filter", "", "run only the scripts whose name matches this regexp")
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kbsync": func() {
			io := &streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
			// KBSYNC_TEST_KILL=POINT kills the process (SIGKILL, as an OOM
			// killer or a cancelled CI job would) at that point of a commit.
			// KBSYNC_TEST_PAUSE=POINT:DURATION holds the run (and its lock)
			// there for a while.
			kill := os.Getenv("KBSYNC_TEST_KILL")
			pause, wait, _ := strings.Cut(os.Getenv("KBSYNC_TEST_PAUSE"), ":")
			if kill != "" || pause != "" {
				io.hook = func(p string) {
					if p == kill {
						syscall.Kill(os.Getpid(), syscall.SIGKILL)
						select {}
					}
					if p == pause {
						d, _ := time.ParseDuration(wait)
						time.Sleep(d)
					}
				}
			}
			os.Exit(runWith(context.Background(), os.Args[1:], io))
		},
		// kbsync-exit runs kbsync, then prints its exit code on stderr and
		// exits 0, so that scripts can assert the documented codes.
		"kbsync-exit": func() {
			code := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			fmt.Fprintf(os.Stderr, "exit=%d\n", code)
			os.Exit(0)
		},
	})
}

func TestScript(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end scripts are skipped in -short mode")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	files = filterScripts(t, files, *filter)
	testscript.Run(t, testscript.Params{
		Files:               files,
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CORPUS", filepath.Join(repo, "testdata", "corpus"))
			env.Setenv("EXAMPLES", filepath.Join(repo, "examples"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("SOURCE_DATE_EPOCH", "1700000000")
			// The git binary is only a referee here: keep it hermetic.
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(env.WorkDir, "home", ".gitconfig"))
			env.Setenv("GIT_AUTHOR_NAME", "A Writer")
			env.Setenv("GIT_AUTHOR_EMAIL", "writer@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "A Writer")
			env.Setenv("GIT_COMMITTER_EMAIL", "writer@example.com")
			env.Setenv("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
			env.Setenv("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
			return os.MkdirAll(filepath.Join(env.WorkDir, "home"), 0o755)
		},
		Cmds: scriptCmds,
	})
}
