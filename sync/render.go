package sync

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/convert"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/templates"
)

// renderVersion changes when kbsync's own rendering changes, so that every
// article is rendered again after an upgrade.
const renderVersion = "1"

// renderer turns threads into article bytes. It is shared by the workers:
// everything in it is read-only after construction.
type renderer struct {
	conv        *convert.Converter
	tmpl        *templates.Set
	fingerprint string
}

func newRenderer(tmpl *templates.Set) *renderer {
	return &renderer{conv: convert.New(), tmpl: tmpl, fingerprint: renderVersion + "/" + tmpl.Fingerprint}
}

// hashedThread is the part of a thread that shapes its article: counts
// that move every day (score, views) are left out so that they do not
// cause needless updates.
type hashedThread struct {
	Render     string
	Title      string
	Site, URL  string
	Question   hashedPost
	Answer     hashedPost
	Solutions  []hashedPost
	Tags       []string
	Category   string
	License    string
	Lang       string
	Created    time.Time
	Updated    time.Time
	Duplicates []forum.Ref
}

type hashedPost struct {
	ID, URL, Author, Body string
	Format                forum.BodyFormat
	Created, Updated      time.Time
}

func hashPost(p *forum.Post) hashedPost {
	if p == nil {
		return hashedPost{}
	}
	return hashedPost{p.ID, p.URL, p.Author, p.Body, p.Format, p.Created, p.Updated}
}

// sourceHash identifies what an article is made from.
func (r *renderer) sourceHash(t *forum.Thread) string {
	h := hashedThread{Render: r.fingerprint, Title: t.Title, Site: t.Site, URL: t.URL,
		Question: hashPost(&t.Question), Answer: hashPost(t.Answer), Tags: t.Tags, Category: t.Category,
		License: t.License, Lang: t.Lang, Created: t.Created, Updated: t.LastModified(), Duplicates: t.Duplicates}
	for i := range t.Solutions {
		h.Solutions = append(h.Solutions, hashPost(&t.Solutions[i]))
	}
	b, _ := json.Marshal(h) // plain data cannot fail
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// errHold marks a thread that must not be published, with the reason as
// it appears among the skipped counts.
type errHold struct{ reason, detail string }

func (e *errHold) Error() string { return e.reason + ": " + e.detail }

func (r *renderer) body(p *forum.Post, site string) (string, error) {
	if p.Format == forum.Markdown {
		return r.conv.Markdown(p.Body, site)
	}
	return r.conv.HTML(p.Body, site)
}

// render produces the article for a solved thread.
func (r *renderer) render(t *forum.Thread) ([]byte, error) {
	q, err := r.body(&t.Question, t.Site)
	if err != nil {
		return nil, err
	}
	a, err := r.body(t.Answer, t.Site)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(a) == "" {
		return nil, &errHold{"empty_answer", "the accepted answer is empty once converted"}
	}
	created := t.Created
	if created.IsZero() {
		created = t.Question.Created
	}
	meta := &templates.Meta{
		Title: t.Title, Source: t.Source, SourceID: t.ID, SourceURL: t.URL,
		AnswerID: t.Answer.ID, AnswerURL: t.Answer.URL,
		QuestionAuthor: t.Question.Author, AnswerAuthor: t.Answer.Author,
		Tags: t.Tags, Date: created, Lastmod: t.LastModified(), License: t.License,
	}
	fm, err := templates.FrontMatter(meta)
	if err != nil {
		return nil, err
	}
	data := &templates.Article{
		FrontMatter: fm, Title: t.Title, Question: q, Answer: a,
		QuestionAuthor: t.Question.Author, AnswerAuthor: t.Answer.Author,
		SourceURL: t.URL, AnswerURL: t.Answer.URL, SiteName: siteName(t.Site), License: t.License,
	}
	for i := range t.Solutions {
		s := &t.Solutions[i]
		body, err := r.body(s, t.Site)
		if err != nil {
			return nil, err
		}
		data.Solutions = append(data.Solutions, templates.Solution{Author: s.Author, URL: s.URL, Body: body})
	}
	for _, d := range t.Duplicates {
		if d.Title != "" {
			data.AlsoAsked = append(data.AlsoAsked, templates.Ref{Title: d.Title, URL: d.URL})
		}
	}
	var buf bytes.Buffer
	if err := r.tmpl.Article(&buf, data); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	if err := r.check(out, t.Title); err != nil {
		return nil, err
	}
	return out, nil
}

// check is the last gate: the front matter parses back with the title as
// written, and goldmark finds no raw HTML or unsafe link in the body.
func (r *renderer) check(doc []byte, title string) error {
	fm, body, err := splitFrontMatter(doc)
	if err != nil {
		return err
	}
	var m struct {
		Title string `yaml:"title"`
	}
	if err := yaml.Unmarshal(fm, &m); err != nil {
		return fmt.Errorf("generated front matter does not parse: %w", err)
	}
	if m.Title != title {
		return fmt.Errorf("generated front matter changed the title to %q", m.Title)
	}
	if err := r.conv.Check(body); err != nil {
		if errors.Is(err, convert.ErrUnsafe) {
			return &errHold{"unsafe_content", err.Error()}
		}
		return err
	}
	return nil
}

// splitFrontMatter separates the YAML between the leading --- lines.
func splitFrontMatter(doc []byte) (fm, body []byte, err error) {
	if !bytes.HasPrefix(doc, []byte("---\n")) {
		return nil, doc, errors.New("the article does not start with front matter")
	}
	end := bytes.Index(doc[4:], []byte("\n---\n"))
	if end < 0 {
		return nil, nil, errors.New("the article's front matter is not closed")
	}
	return doc[4 : 4+end+1], doc[4+end+5:], nil
}

func siteName(site string) string {
	if u, err := url.Parse(site); err == nil && u.Host != "" {
		return u.Host
	}
	return site
}

// identity is how the knowledge base knows a thread across runs.
func identity(t *forum.Thread) kb.Identity {
	return kb.Identity{Source: t.Source, Site: siteName(t.Site), ID: t.ID}
}
