package main

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"go.yaml.in/yaml/v3"

	kbsync "github.com/kbsync/kbsync/sync"
)

// errNoOpener says that the system has no program to open a file with.
var errNoOpener = errors.New("no program to open files with")

// systemOpener opens path with the operating system's default program.
func systemOpener(path string) error {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		name = "xdg-open"
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%w (%s not found)", errNoOpener, name)
	}
	cmd := exec.Command(bin, append(args, path)...)
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// previewOpen renders one article to a standalone HTML page in a new
// temporary folder, prints the page's path on stderr and, when a person is
// at the terminal, opens it.
func previewOpen(cmd *cobra.Command, opts *previewOptions, po kbsync.PreviewOptions) error {
	if opts.ID == "" {
		return usagef("--open needs --id: it opens one article")
	}
	var md bytes.Buffer
	if err := kbsync.Preview(cmd.Context(), po, &md); err != nil {
		return err
	}
	page, err := articleHTML(md.Bytes(), opts.ID)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kbsync-preview-")
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	path := filepath.Join(dir, fileSafe(opts.ID)+".html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	fmt.Fprintln(opts.io.Err, path)
	if !opts.terminal() {
		return nil
	}
	if err := opts.opener(path); err != nil && !errors.Is(err, errNoOpener) {
		fmt.Fprintf(opts.io.Err, "kbsync: could not open it: %v\n", err)
	}
	return nil
}

// fileSafe makes a thread id usable as a file name.
func fileSafe(id string) string {
	s := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, id)
	if len(s) > 64 {
		s = s[:64]
	}
	return "thread-" + s
}

// previewMarkdown renders article bodies; goldmark's default renderer
// drops raw HTML and dangerous links (never html.WithUnsafe).
var previewMarkdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

type pageData struct {
	Title, Lang, Date, SourceURL string
	Tags                         []string
	Body                         template.HTML
}

// articleHTML turns an article (front matter and Markdown) into a page.
func articleHTML(doc []byte, id string) ([]byte, error) {
	d := pageData{Title: "Thread " + id}
	body := doc
	if rest, ok := bytes.CutPrefix(doc, []byte("---\n")); ok {
		if fm, after, ok := bytes.Cut(rest, []byte("\n---\n")); ok {
			body = after
			var meta struct {
				Title     string   `yaml:"title"`
				Lang      string   `yaml:"lang"`
				Date      string   `yaml:"date"`
				SourceURL string   `yaml:"source_url"`
				Tags      []string `yaml:"tags"`
			}
			if yaml.Unmarshal(fm, &meta) == nil {
				if meta.Title != "" {
					d.Title = meta.Title
				}
				d.Lang, d.Date, d.SourceURL, d.Tags = meta.Lang, meta.Date, meta.SourceURL, meta.Tags
			}
		}
	}
	var html bytes.Buffer
	if err := previewMarkdown.Convert(body, &html); err != nil {
		return nil, fmt.Errorf("preview: render HTML: %w", err)
	}
	d.Body = template.HTML(html.String()) // goldmark's safe output
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, d); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return out.Bytes(), nil
}

// pageTemplate is the preview page. Its Content-Security-Policy forbids
// scripts, so even a rendering bug cannot run code from a forum post.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{with .Lang}}{{.}}{{else}}und{{end}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https: data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} (kbsync preview)</title>
<style>
body { font: 16px/1.6 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
.kbsync-preview { font-size: .85rem; color: #59636e; border-bottom: 1px solid #d1d9e0; padding-bottom: .5rem; }
pre { background: #f6f8fa; padding: .75rem; overflow: auto; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
blockquote { margin: 0; padding-left: 1rem; border-left: 3px solid #d1d9e0; color: #59636e; }
img { max-width: 100%; }
table { border-collapse: collapse; } td, th { border: 1px solid #d1d9e0; padding: .25rem .5rem; }
</style>
</head>
<body>
<main dir="auto">
<p class="kbsync-preview">kbsync preview, not published{{with .Date}} · asked {{.}}{{end}}{{with .Tags}} · tags:{{range .}} {{.}}{{end}}{{end}}{{with .SourceURL}} · <a href="{{.}}">thread</a>{{end}}</p>
<h1>{{.Title}}</h1>
{{.Body}}
</main>
</body>
</html>
`))
