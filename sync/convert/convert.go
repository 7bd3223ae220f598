// Package convert turns forum bodies (rendered HTML, or the author's own
// Markdown) into safe, normalized Markdown without rewording them, and makes
// slugs. It is pure: strings in, strings out.
package convert

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"

	"github.com/kbsync/kbsync/sync/forum"
)

// Converter holds the sanitizer, the HTML-to-Markdown converter and the
// Markdown parser. Build it once; it is safe for concurrent use.
type Converter struct {
	policy *bluemonday.Policy
	h2m    *htmltomarkdown.Converter
	md     goldmark.Markdown
	// unsafe renders Markdown with its raw HTML, only to feed the sanitizer
	// on the fallback path; its output is never published as is.
	unsafe goldmark.Markdown
}

// New builds a Converter.
func New() *Converter {
	return &Converter{policy: Policy(), h2m: newH2M(), md: Parser(),
		unsafe: goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))}
}

// Policy is the HTML allow-list every body goes through before conversion:
// bluemonday's user-generated-content policy, without styles, with only
// http, https and mailto links, and with code-language classes kept so that
// fenced code blocks keep their language.
func Policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(false)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[A-Za-z0-9_ +#.-]+$`)).OnElements("pre", "code")
	return p
}

// Parser is the goldmark configuration used to check generated Markdown.
func Parser() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM))
}

func newH2M() *htmltomarkdown.Converter {
	return htmltomarkdown.NewConverter(htmltomarkdown.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(
			commonmark.WithListEndComment(false),
		),
		strikethrough.NewStrikethroughPlugin(),
		table.NewTablePlugin(),
	))
}

// HTML converts a rendered HTML body to Markdown. Relative links are made
// absolute on site (when given). The text is not reworded: only markup
// changes, and code blocks keep their bytes.
func (c *Converter) HTML(body, site string) (string, error) {
	clean := c.policy.Sanitize(body)
	var opts []htmltomarkdown.ConvertOptionFunc
	if site != "" {
		opts = append(opts, htmltomarkdown.WithDomain(site))
	}
	md, err := c.h2m.ConvertString(clean, opts...)
	if err != nil {
		return "", fmt.Errorf("convert html: %w", err)
	}
	return finish(md), nil
}

// Markdown normalizes a Markdown body that an author wrote. The source is
// kept byte for byte except where it is unsafe to publish: raw HTML is
// replaced by its sanitized conversion, and a document with a link whose
// scheme is not http, https or mailto goes through the HTML path as a whole.
func (c *Converter) Markdown(src, site string) (string, error) {
	src = forum.CleanText(src)
	out := []byte(src)
	for range 3 {
		edited, unsafeLink, err := c.fixRawHTML(out, site)
		if err != nil {
			return "", err
		}
		if unsafeLink {
			return c.viaHTML(out, site)
		}
		if edited == nil {
			return finish(string(out)), nil
		}
		out = edited
	}
	return c.viaHTML(out, site)
}

// viaHTML renders Markdown to HTML (raw HTML included) and converts it back
// through the sanitizer: the fallback for documents that cannot be fixed in
// place.
func (c *Converter) viaHTML(src []byte, site string) (string, error) {
	var buf bytes.Buffer
	if err := c.unsafe.Convert(src, &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return c.HTML(buf.String(), site)
}

// edit replaces src[start:stop] with repl.
type edit struct {
	start, stop int
	repl        []byte
}

// fixRawHTML finds raw HTML (inline and blocks) and returns the document
// with each occurrence replaced by its sanitized Markdown conversion, or nil
// when there is nothing to fix. unsafeLink reports a link or image whose
// destination is not safe.
func (c *Converter) fixRawHTML(src []byte, site string) (out []byte, unsafeLink bool, err error) {
	doc := c.md.Parser().Parse(text.NewReader(src))
	var edits []edit
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if !SafeURL(string(n.Destination)) {
				unsafeLink = true
			}
		case *ast.Image:
			if !SafeURL(string(n.Destination)) {
				unsafeLink = true
			}
		case *ast.AutoLink:
			if !SafeURL(string(n.URL(src))) {
				unsafeLink = true
			}
		case *ast.RawHTML:
			segs := n.Segments
			if segs.Len() == 0 {
				return ast.WalkContinue, nil
			}
			start, stop := segs.At(0).Start, segs.At(segs.Len()-1).Stop
			edits = append(edits, edit{start, stop, inlineHTML(src[start:stop])})
		case *ast.HTMLBlock:
			lines := n.Lines()
			if lines.Len() == 0 {
				return ast.WalkSkipChildren, nil
			}
			start, stop := lines.At(0).Start, lines.At(lines.Len()-1).Stop
			if n.HasClosure() {
				stop = n.ClosureLine.Stop
			}
			var raw []byte
			for i := range lines.Len() {
				seg := lines.At(i)
				raw = append(raw, seg.Value(src)...)
			}
			if n.HasClosure() {
				closure := n.ClosureLine
				raw = append(raw, closure.Value(src)...)
			}
			md, err := c.HTML(string(raw), site)
			if err != nil {
				return ast.WalkStop, err
			}
			if md != "" {
				md += "\n"
			}
			edits = append(edits, edit{start, stop, []byte(md)})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if err != nil || unsafeLink || len(edits) == 0 {
		return nil, unsafeLink, err
	}
	var b bytes.Buffer
	last := 0
	for _, e := range edits {
		if e.start < last {
			continue
		}
		b.Write(src[last:e.start])
		b.Write(e.repl)
		last = e.stop
	}
	b.Write(src[last:])
	return b.Bytes(), false, nil
}

var tagName = regexp.MustCompile(`^</?([A-Za-z][A-Za-z0-9-]*)`)

// inlineHTML replaces one inline HTML tag: line breaks become a Markdown hard
// break, every other tag (kbd, sup, span, comments...) disappears and leaves
// its content, which is ordinary text around it.
func inlineHTML(tag []byte) []byte {
	m := tagName.FindSubmatch(tag)
	if m != nil && strings.EqualFold(string(m[1]), "br") {
		return []byte("\\\n")
	}
	return nil
}

// finish trims the document and makes sure it ends with one newline.
func finish(md string) string {
	md = strings.TrimSpace(forum.CleanText(md))
	if md == "" {
		return ""
	}
	return md + "\n"
}

// SafeURL reports whether a link destination may be published: http, https,
// mailto, or a relative reference. Entities, percent-escapes, case and
// control characters are resolved first, so `JaVaScRiPt&#x3a;` is caught.
func SafeURL(dest string) bool {
	d := html.UnescapeString(dest)
	if u, err := url.PathUnescape(d); err == nil {
		d = u
	}
	d = strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return -1
		}
		return r
	}, d)
	d = strings.ToLower(d)
	if strings.HasPrefix(d, "//") {
		return false
	}
	colon := strings.IndexByte(d, ':')
	if colon < 0 {
		return true
	}
	if slash := strings.IndexAny(d, "/?#"); slash >= 0 && slash < colon {
		return true // the colon is in a path or query: relative
	}
	switch d[:colon] {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// ErrUnsafe is returned by Check for an article that must not be published.
var ErrUnsafe = errors.New("unsafe markdown")

// Check parses a whole generated article with goldmark and refuses raw HTML
// and unsafe links: the last gate before an article is written.
func (c *Converter) Check(doc []byte) error {
	root := c.md.Parser().Parse(text.NewReader(doc))
	return ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			return ast.WalkStop, fmt.Errorf("%w: raw HTML %q", ErrUnsafe, clip(n.Segments.Value(doc)))
		case *ast.HTMLBlock:
			return ast.WalkStop, fmt.Errorf("%w: an HTML block", ErrUnsafe)
		case *ast.Link:
			if !SafeURL(string(n.Destination)) {
				return ast.WalkStop, fmt.Errorf("%w: link to %q", ErrUnsafe, clip(n.Destination))
			}
		case *ast.Image:
			if !SafeURL(string(n.Destination)) {
				return ast.WalkStop, fmt.Errorf("%w: image from %q", ErrUnsafe, clip(n.Destination))
			}
		case *ast.AutoLink:
			if !SafeURL(string(n.URL(doc))) {
				return ast.WalkStop, fmt.Errorf("%w: link to %q", ErrUnsafe, clip(n.URL(doc)))
			}
		}
		return ast.WalkContinue, nil
	})
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
