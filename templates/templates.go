// Package templates holds the embedded default templates (articles, commit
// messages, pull-request bodies) and the front matter of each site preset.
// Forum text is only ever data to these templates, never template source.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var embedded embed.FS

// Names of the templates a --templates folder may override.
const (
	ArticleName = "article.md.tmpl"
	CommitName  = "commit.tmpl"
	PRBodyName  = "pr-body.md.tmpl"
)

// Set is a loaded set of templates.
type Set struct {
	article *template.Template
	commit  *template.Template
	prBody  *template.Template
	// Fingerprint changes whenever a template's text changes, so that the
	// knowledge base knows articles must be rendered again.
	Fingerprint string
}

// Load reads the embedded templates, overridden by the files of the same
// name in dir when dir is not empty.
func Load(dir string) (*Set, error) {
	read := func(name string) (string, error) {
		if dir != "" {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err == nil {
				return string(b), nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("templates: %w", err)
			}
		}
		b, err := embedded.ReadFile(name)
		return string(b), err
	}
	s := &Set{}
	var all strings.Builder
	for _, t := range []struct {
		name string
		dst  **template.Template
	}{{ArticleName, &s.article}, {CommitName, &s.commit}, {PRBodyName, &s.prBody}} {
		src, err := read(t.name)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(t.name).Option("missingkey=error").Funcs(funcs).Parse(src)
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", t.name, err)
		}
		*t.dst = tmpl
		if t.name != PRBodyName { // the PR body does not shape articles
			all.WriteString(src)
		}
	}
	s.Fingerprint = hashString(all.String())
	return s, nil
}

var funcs = template.FuncMap{
	"md":   EscapeMarkdown,
	"url":  EscapeURL,
	"cell": EscapeCell,
}

// Article renders one article.
func (s *Set) Article(w io.Writer, a *Article) error {
	if err := s.article.Execute(w, a); err != nil {
		return fmt.Errorf("templates: article: %w", err)
	}
	return nil
}

// PRBody renders a pull-request body.
func (s *Set) PRBody(w io.Writer, b *PRBody) error {
	if err := s.prBody.Execute(w, b); err != nil {
		return fmt.Errorf("templates: pull request body: %w", err)
	}
	return nil
}

// PRBody is the data of the pull-request body template.
type PRBody struct {
	Sources      string
	Branch, Base string
	Version      string
	Rows         []PRRow
	Blocked      []PRRow
	Files        []PRRow
	Others       []string // commits people made on the branch
	Skipped      []Skip
	SkippedTotal int
}

// PRRow is one article in the pull request.
type PRRow struct {
	Action, Path, ID, Title, SourceURL, AnswerAuthor, Reason string
	Score, Redactions                                        int
	Blocked                                                  bool
}

// Skip is one skip reason and its count.
type Skip struct {
	Reason string
	Count  int
}

// Commit renders a commit message.
func (s *Set) Commit(w io.Writer, c *Commit) error {
	if err := s.commit.Execute(w, c); err != nil {
		return fmt.Errorf("templates: commit message: %w", err)
	}
	return nil
}

// Article is the data of the article template. Every string is already
// safe Markdown except the ones the template escapes with md and url.
type Article struct {
	FrontMatter    string // YAML, without the --- lines, ending in a newline
	Title          string
	Question       string // Markdown body of the question
	Answer         string // Markdown body of the accepted answer
	Solutions      []Solution
	AlsoAsked      []Ref
	QuestionAuthor string
	AnswerAuthor   string
	SourceURL      string
	AnswerURL      string
	SiteName       string
	License        string
}

// Solution is a further accepted answer.
type Solution struct {
	Author, URL, Body string
}

// Ref is another wording of the question.
type Ref struct {
	Title, URL string
}

// Commit is the data of the commit-message template.
type Commit struct {
	Subject string
	Lines   []string
}

// EscapeMarkdown escapes text so that Markdown shows it literally on one
// line, in every engine the presets meet: CommonMark (Hugo, GitHub, MDX),
// kramdown (Jekyll) and Python-Markdown (MkDocs). `&`, `<`, `>`, `~` and
// `|` are written as character references, since kramdown or
// Python-Markdown do not take a backslash before them as an escape and
// would show it; the other characters are escaped with a backslash.
func EscapeMarkdown(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	// A list marker would start a list where the text begins a line
	// (a list item of its own, "- - x").
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	switch {
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
		b.WriteByte('\\')
	case digits > 0 && digits < len(s) && s[digits] == '.':
		b.WriteString(s[:digits])
		b.WriteByte('\\')
		s = s[digits:]
	}
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
			continue
		case '<':
			b.WriteString("&lt;")
			continue
		case '>':
			b.WriteString("&gt;")
			continue
		case '~':
			b.WriteString("&#126;")
			continue
		case '|':
			b.WriteString("&#124;")
			continue
		case '\\', '`', '*', '_', '[', ']', '#', '!', '{', '}', '(', ')':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// EscapeCell makes forum text safe in a pull-request table cell: Markdown
// is escaped, pipes cannot end the cell, and @mentions and #references are
// broken with a zero-width joiner so that a title cannot notify a team or
// close an issue.
func EscapeCell(s string) string {
	s = EscapeMarkdown(s)
	return cellEscaper.Replace(s)
}

// Replacers are built once: NewReplacer's tables cost more than a short
// Replace, and these run for every article.
var (
	cellEscaper = strings.NewReplacer("@", "@\u200d", "\\#", "#\u200d")
	urlEscaper  = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")
)

// EscapeURL makes a URL safe inside a Markdown link destination.
func EscapeURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	out := u.String()
	return urlEscaper.Replace(out)
}
