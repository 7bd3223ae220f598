package sync

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/convert"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/redact"
	"github.com/kbsync/kbsync/templates"
)

// renderVersion changes when kbsync's own rendering changes, so that every
// article is rendered again after an upgrade.
const renderVersion = "2"

// renderer turns threads into article bytes. It is shared by the workers:
// everything in it is read-only after construction.
type renderer struct {
	conv       *convert.Converter
	tmpl       *templates.Set
	preset     *templates.Preset
	structured string // schema.org JSON-LD kind, or "" for none
	// lang is kb.lang: "" writes the language the source states, "auto"
	// also detects it (about 2 ms an article), anything else is the tag of
	// a single-language forum.
	lang string
	// redactor is built on first use: compiling the rules costs ~30 ms,
	// which a run that converts nothing (a no-op) does not need.
	redactor    func() *redact.Redactor
	fingerprint string
}

func newRenderer(tmpl *templates.Set, preset *templates.Preset, red func() *redact.Redactor, redactKey string) *renderer {
	return &renderer{conv: convert.New(), tmpl: tmpl, preset: preset, redactor: red,
		fingerprint: renderVersion + "/" + tmpl.Fingerprint + "/" + preset.Name + "/" + redactKey}
}

// forWorker is a renderer for one worker: the same settings, its own
// converter. html-to-markdown takes a read lock per node, and two workers
// sharing one converter spent ~2% of a sync bouncing that lock's counter
// between the cores.
func (r *renderer) forWorker() *renderer {
	w := *r
	w.conv = convert.New()
	return &w
}

// article is a rendered article and what redaction did to it.
type article struct {
	content    []byte
	redactions int
	// The redacted title, answer author and tags, for the report, the pull
	// request and the index pages.
	title, author string
	tags          []string
}

// scrubber redacts the values of one article and counts what it replaced.
type scrubber struct {
	red  *redact.Redactor
	n    int
	held string
}

func (s *scrubber) add(res redact.Result) {
	for _, f := range res.Findings {
		s.n += f.Count
	}
	if res.Held && s.held == "" {
		s.held = res.HeldReason
	}
}

// language is the lang of an article: what the source states, else the
// configured tag, else (with "auto") a detection trusted only when reliable.
func (r *renderer) language(t *forum.Thread, title, q, a string) string {
	switch {
	case t.Lang != "":
		return t.Lang
	case r.lang == "auto":
		if tag, ok := convert.DetectLang(title + "\n\n" + q + "\n\n" + a); ok {
			return tag
		}
		return ""
	default:
		return r.lang
	}
}

// text redacts a Markdown body.
func (s *scrubber) text(v string) string {
	out, res := s.red.Text(v)
	s.add(res)
	return out
}

// plain redacts a one-line value: a title, a name, a tag.
func (s *scrubber) plain(v string) string {
	out, res := s.red.Plain(v)
	s.add(res)
	return out
}

// sourceHash identifies what an article is made from: the parts of the
// thread that shape it (counts that move every day, score and views, are
// left out so that they cause no needless update) and the renderer's
// fingerprint. Fields are written length-prefixed straight into the hash;
// this runs for every thread of every sync, changed or not.
func (r *renderer) sourceHash(t *forum.Thread) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	str := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		io.WriteString(h, s)
	}
	tm := func(ts time.Time) { h.Write(n[:binary.PutVarint(n[:], ts.UnixNano())]) }
	post := func(p *forum.Post) {
		if p == nil {
			str("")
			return
		}
		str(p.ID)
		str(p.URL)
		str(p.Author)
		str(p.Body)
		str(string(p.Format))
		tm(p.Created)
		tm(p.Updated)
	}
	str(r.fingerprint)
	str(t.Title)
	str(t.Site)
	str(t.URL)
	post(&t.Question)
	post(t.Answer)
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(t.Solutions)))])
	for i := range t.Solutions {
		post(&t.Solutions[i])
	}
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(t.Tags)))])
	for _, tag := range t.Tags {
		str(tag)
	}
	str(t.Category)
	str(t.License)
	str(t.Lang)
	tm(t.Created)
	tm(t.LastModified())
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(t.Duplicates)))])
	for _, d := range t.Duplicates {
		str(d.ID)
		str(d.Title)
		str(d.URL)
	}
	var sum [sha256.Size]byte
	// 128 bits tell sources apart; the manifest keeps one per article.
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// errHold marks a thread that must not be published, with the reason as
// it appears among the skipped counts.
type errHold struct{ reason, detail string }

func (e *errHold) Error() string { return e.reason + ": " + e.detail }

func (r *renderer) body(p *forum.Post, site string) (string, error) {
	var md string
	var err error
	if p.Format == forum.Markdown {
		md, err = r.conv.Markdown(p.Body, site)
	} else {
		md, err = r.conv.HTML(p.Body, site)
	}
	if errors.Is(err, convert.ErrTooLarge) {
		return "", &errHold{"too_large", err.Error()}
	}
	return md, err
}

// render produces the article for a solved thread. Personal data and
// secrets are redacted from every value and from the finished body; a thread
// whose secret cannot be redacted safely is held back.
func (r *renderer) render(t *forum.Thread) (*article, error) { return r.renderWith(t, nil) }

// renderWith renders an article that also answers for the merged articles
// at aliases (paths relative to the content folder).
func (r *renderer) renderWith(t *forum.Thread, aliases []string) (*article, error) {
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
	sc := &scrubber{red: r.redactor()}
	title := sc.plain(t.Title)
	qAuthor, aAuthor := sc.plain(t.Question.Author), sc.plain(t.Answer.Author)
	var tags []string
	for _, tag := range t.Tags {
		tags = append(tags, sc.plain(tag))
	}
	var alsoAsked []string
	for _, d := range t.Duplicates {
		if d.Title != "" {
			alsoAsked = append(alsoAsked, sc.plain(d.Title))
		}
	}
	meta := &templates.Meta{
		Title: title, Source: t.Source, SourceID: t.ID, SourceURL: t.URL,
		AnswerID: t.Answer.ID, AnswerURL: t.Answer.URL,
		QuestionAuthor: qAuthor, AnswerAuthor: aAuthor,
		Tags: tags, Date: created, Lastmod: t.LastModified(), License: t.License,
		Lang: r.language(t, title, q, a), AlsoAsked: alsoAsked, Aliases: aliases,
	}
	if r.structured != "" {
		// The JSON-LD repeats the question and answer in the front matter:
		// redact them before it is built, as the body will be.
		q, a = sc.text(q), sc.text(a)
		meta.StructuredData, meta.Question, meta.Answer = r.structured, q, a
	}
	fm, err := r.preset.FrontMatter(meta)
	var hold *templates.HoldError
	if errors.As(err, &hold) {
		return nil, &errHold{hold.Reason, hold.Detail}
	}
	if err != nil {
		return nil, err
	}
	data := &templates.Article{
		FrontMatter: fm, Title: title, Question: q, Answer: a,
		QuestionAuthor: qAuthor, AnswerAuthor: aAuthor,
		SourceURL: t.URL, AnswerURL: t.Answer.URL, SiteName: siteName(t.Site), License: t.License,
	}
	for i := range t.Solutions {
		s := &t.Solutions[i]
		body, err := r.body(s, t.Site)
		if err != nil {
			return nil, err
		}
		data.Solutions = append(data.Solutions, templates.Solution{Author: sc.plain(s.Author), URL: s.URL, Body: body})
	}
	for _, d := range t.Duplicates {
		if d.Title != "" {
			data.AlsoAsked = append(data.AlsoAsked, templates.Ref{Title: sc.plain(d.Title), URL: d.URL})
		}
	}
	var buf bytes.Buffer
	if err := r.tmpl.Article(&buf, data); err != nil {
		return nil, err
	}
	fmBytes, body, err := splitFrontMatter(buf.Bytes())
	if err != nil {
		return nil, err
	}
	// The finished body is scanned as a whole: a secret split across the
	// question and the template, or hidden in a link, is caught here.
	clean, res := sc.red.Text(string(body))
	sc.add(res)
	if sc.held != "" {
		return nil, &errHold{"held_secret", sc.held}
	}
	// Template syntax of the site generator in forum text must not execute.
	clean = convert.EscapeTemplates(clean, r.preset.Escape)
	if convert.TemplateSyntax(clean, r.preset.Escape) {
		return nil, &errHold{"template_syntax", "template syntax that cannot be escaped for " + r.preset.Name}
	}
	out := make([]byte, 0, len(fmBytes)+len(clean)+8)
	out = append(out, "---\n"...)
	out = append(out, fmBytes...)
	out = append(out, "---\n"...)
	out = append(out, clean...)
	if err := r.check(out, title); err != nil {
		return nil, err
	}
	return &article{content: out, redactions: sc.n, title: title, author: aAuthor, tags: tags}, nil
}

// check is the last gate before an article is written: goldmark finds no
// raw HTML or unsafe link in the body. (The front matter needs no check
// here: it is marshalled from a fixed struct, and FuzzFrontMatter holds the
// round trip.)
func (r *renderer) check(doc []byte, title string) error {
	_, body, err := splitFrontMatter(doc)
	if err != nil {
		return err
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

func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
