package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// mkbare DIR: a bare repository on branch main with one commit by a writer,
// made with the git binary, as a team's remote knowledge base would be.
func cmdMkBare(ts *testscript.TestScript, neg bool, args []string) {
	bare := ts.MkAbs(args[0])
	git(ts, ".", "init", "-q", "--bare", "-b", "main", bare)
	git(ts, args[0], "config", "http.receivepack", "true")
	seed := ts.MkAbs(args[0] + ".seed")
	git(ts, ".", "clone", "-q", bare, seed)
	ts.Check(os.WriteFile(filepath.Join(seed, "README.md"), []byte("# Our knowledge base\n"), 0o644))
	git(ts, seed, "add", "README.md")
	git(ts, seed, "commit", "-q", "-m", "Start the knowledge base")
	git(ts, seed, "push", "-q", "origin", "HEAD:main")
	ts.Check(os.RemoveAll(seed))
}

// githttp DIR TOKEN: serves the repositories under DIR with git
// http-backend behind HTTP basic auth that accepts only TOKEN as the
// password, on 127.0.0.1; sets $GITHTTP to its base URL.
func cmdGitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	root, token := ts.MkAbs(args[0]), args[1]
	gitPath, err := exec.LookPath("git")
	ts.Check(err)
	backend := &cgi.Handler{Path: gitPath, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + ts.Getenv("HOME")}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); !ok || pass != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	ts.Defer(srv.Close)
	ts.Setenv("GITHTTP", srv.URL)
}

// gitdaemon DIR: serves the repositories under DIR with `git daemon
// --enable=receive-pack` on 127.0.0.1; sets $GITDAEMON to its base URL.
func cmdGitDaemon(ts *testscript.TestScript, neg bool, args []string) {
	root := ts.MkAbs(args[0])
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
		"--base-path="+root, "--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), root)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+ts.Getenv("HOME"))
	ts.Check(cmd.Start())
	ts.Defer(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if i > 100 {
			ts.Fatalf("git daemon did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Setenv("GITDAEMON", fmt.Sprintf("git://127.0.0.1:%d", port))
}

// nocanary WORD DIR...: no file under the folders holds WORD (a token).
func cmdNoCanary(ts *testscript.TestScript, neg bool, args []string) {
	word := args[0]
	for _, dir := range args[1:] {
		filepath.Walk(ts.MkAbs(dir), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err == nil && strings.Contains(string(b), word) {
				ts.Fatalf("nocanary: %s holds the token", p)
			}
			return nil
		})
	}
}
