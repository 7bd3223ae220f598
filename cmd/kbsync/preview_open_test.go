package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// previewWith runs preview with a fake terminal and opener.
func previewWith(t *testing.T, tty bool, opener func(string) error, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newPreviewCmd(&streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, func(c *cobra.Command, o *previewOptions) error {
		o.terminal = func() bool { return tty }
		o.opener = opener
		return runPreview(c, o)
	})
	cmd.PersistentFlags().String("config", "", "")
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestPreviewOpen(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	coffee := []string{"../../testdata/corpus/stackexchange/coffee-2015", "--site", "https://coffee.stackexchange.com", "--id", "1", "--open"}

	var opened []string
	opener := func(p string) error { opened = append(opened, p); return nil }
	stdout, stderr, err := previewWith(t, true, opener, coffee...)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSpace(stderr)
	if len(opened) != 1 || opened[0] != path {
		t.Fatalf("opened %q, stderr %q", opened, stderr)
	}
	if stdout != "" {
		t.Errorf("--open wrote to stdout: %q", stdout)
	}
	if !strings.HasPrefix(path, os.Getenv("TMPDIR")) || filepath.Ext(path) != ".html" {
		t.Errorf("page at %s, want an .html file in the temporary folder", path)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<title>How should I store whole bean coffee? (kbsync preview)</title>",
		"<h1>How should I store whole bean coffee?</h1>",
		"<h2>Accepted answer</h2>",
		`<a href="https://coffee.stackexchange.com/q/1">thread</a>`,
		"Content-Security-Policy",
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}

	// Not a terminal: the path only, nothing opened.
	opened = nil
	_, stderr, err = previewWith(t, false, opener, coffee...)
	if err != nil || len(opened) != 0 || !strings.HasSuffix(strings.TrimSpace(stderr), ".html") {
		t.Fatalf("no terminal: err %v, opened %q, stderr %q", err, opened, stderr)
	}
	// No opener on the system: the path, no error.
	_, stderr, err = previewWith(t, true, func(string) error { return errNoOpener }, coffee...)
	if err != nil || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("no opener: err %v, stderr %q", err, stderr)
	}
	// An opener that fails: a warning, the page is still there.
	_, stderr, err = previewWith(t, true, func(string) error { return errors.New("boom") }, coffee...)
	if err != nil || !strings.Contains(stderr, "could not open it: boom") {
		t.Fatalf("failing opener: err %v, stderr %q", err, stderr)
	}
	// --open needs one article.
	var ue *usageError
	if _, _, err = previewWith(t, true, opener, append(coffee[:3:3], "--open")...); !errors.As(err, &ue) {
		t.Fatalf("--open without --id: %v, want a usage error", err)
	}
}

// TestArticleHTMLSafe feeds hostile Markdown to the page renderer: raw
// HTML and script links never reach the page.
func TestArticleHTMLSafe(t *testing.T) {
	doc := "---\ntitle: \"<script>alert(1)</script> & co\"\nsource_url: \"javascript:alert(1)\"\ntags: [\"<b>x</b>\"]\n---\n\n" +
		"Hello <script>alert(2)</script> <img src=x onerror=alert(3)>\n\n[click](javascript:alert(4)) [ok](https://example.com/a?b=1&c=2)\n\n```html\n<script>kept as code</script>\n```\n"
	page, err := articleHTML([]byte(doc), "1")
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, bad := range []string{"<script>", "onerror", "javascript:", "<b>x</b>"} {
		if strings.Contains(s, bad) {
			t.Errorf("page carries %q:\n%s", bad, s)
		}
	}
	for _, want := range []string{
		"<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</h1>",
		`<a href="https://example.com/a?b=1&amp;c=2">ok</a>`,
		"&lt;script&gt;kept as code&lt;/script&gt;",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q:\n%s", want, s)
		}
	}
}
