// Package convert turns forum bodies (rendered HTML, or the author's own
// Markdown) into safe, normalized Markdown without rewording them, and makes
// slugs. It is pure: strings in, strings out.
//
// What "safe" means here: the Markdown carries no raw HTML, no link or image
// whose scheme is not http, https or mailto (after entity and percent
// decoding), no protocol-relative link, no credential in a URL's user-info
// or query, no bidi control or zero-width character outside code, and no
// C0/C1 control anywhere. Check verifies it on a whole article. Template
// syntax of a site generator is a separate step, EscapeTemplates, because
// it depends on the generator.
package convert

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/kbsync/kbsync/sync/forum"
)

// MaxBody is the default cap on one body, HTML or Markdown, in bytes. Real
// answers are a few kilobytes; the cap bounds the work an export can ask
// for (the HTML parser and the sanitizer are linear, but a 100 MB body
// would still stall a run).
const MaxBody = 1 << 20

// MaxDepth is how deeply HTML elements may nest. Deeper start tags are
// dropped (their text stays): golang.org/x/net/html refuses documents
// deeper than 512 open elements, and nothing a person writes nests that far.
const MaxDepth = 256

var (
	// ErrTooLarge is returned for a body over the size cap.
	ErrTooLarge = errors.New("body too large")
	// ErrUnsafe is returned by Check for an article that must not be
	// published, and by the converter when a body cannot be made safe.
	ErrUnsafe = errors.New("unsafe markdown")
	// ErrBidi is the ErrUnsafe that Check returns for a bidi control
	// character, which the converter keeps in code (code is not edited):
	// such an article needs a person to look at it.
	ErrBidi = fmt.Errorf("%w: bidi control character", ErrUnsafe)
)

// Converter holds the sanitizer, the HTML-to-Markdown converter and the
// Markdown parser. Build it once; it is safe for concurrent use.
type Converter struct {
	policy  *bluemonday.Policy
	h2m     *htmltomarkdown.Converter
	md      goldmark.Markdown
	maxBody int
	// unsafe renders Markdown with its raw HTML, only to feed the sanitizer
	// on the last-resort path; its output is never published as is.
	unsafe goldmark.Markdown
}

// Option configures a Converter.
type Option func(*Converter)

// WithMaxBody sets the size cap of one body in bytes (default MaxBody).
func WithMaxBody(n int) Option {
	return func(c *Converter) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// New builds a Converter.
func New(opts ...Option) *Converter {
	c := &Converter{policy: Policy(), h2m: newH2M(), md: Parser(), maxBody: MaxBody,
		unsafe: goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Policy is the HTML allow-list every body goes through before conversion:
// bluemonday's user-generated-content policy, without styles, with only
// http, https and mailto links, with code-language classes kept so that
// fenced code blocks keep their language, and with any alt and title text.
func Policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(false)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[A-Za-z0-9_ +#.-]+$`)).OnElements("pre", "code")
	// UGC's alt and title patterns refuse ':', '&' and '?', which drops
	// most alt texts (":wink:", "profile for X on Stack Exchange, a network
	// of free, community-driven Q&A sites"); the values are text, escaped
	// on output, so any value may stay.
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("title").Globally()
	// A list that continues after a paragraph starts at its number.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	return p
}

// Parser is the goldmark configuration used to read and check Markdown:
// GFM (tables, strikethrough, linkify, task lists).
func Parser() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM))
}

func newH2M() *htmltomarkdown.Converter {
	return htmltomarkdown.NewConverter(htmltomarkdown.WithEscapeMode(htmltomarkdown.EscapeModeDisabled), htmltomarkdown.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(
			commonmark.WithListEndComment(false),
		),
		strikethrough.NewStrikethroughPlugin(),
		table.NewTablePlugin(),
		quoteFix{},
	))
}

func (c *Converter) limit(body string) error {
	if len(body) > c.maxBody {
		return fmt.Errorf("convert: a body of %d bytes is over the limit of %d bytes: %w", len(body), c.maxBody, ErrTooLarge)
	}
	return nil
}

// HTML converts a rendered HTML body to Markdown. Relative links are made
// absolute on site (when given). The text is not reworded: only markup
// changes, and code blocks keep their bytes.
func (c *Converter) HTML(body, site string) (string, error) {
	if err := c.limit(body); err != nil {
		return "", err
	}
	md, err := c.htmlToMarkdown(body, site)
	if err != nil {
		return "", err
	}
	if !needsFix(md) {
		return trimDoc([]byte(md)), nil
	}
	out, ok, err := c.fix([]byte(md), site, true)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("convert html: %w: the Markdown could not be made safe", ErrUnsafe)
	}
	return trimDoc(out), nil
}

// needsFix reports whether the HTML path's Markdown must go through the
// fixer. The tree was cleaned before conversion (URLs, invisible
// characters, escapes), so only three things can still be wrong: a `<`
// that makes raw HTML, a linkified URL whose scheme is not allowed
// (ftp://), and an invisible character. Without any of them, the goldmark
// parse is skipped: it was a sixth of the conversion time.
func needsFix(md string) bool {
	if strings.IndexByte(md, '<') >= 0 || hasInvisible(md) {
		return true
	}
	for s := md; ; {
		i := strings.Index(s, "://")
		if i < 0 {
			return false
		}
		if !strings.HasSuffix(s[:i], "http") && !strings.HasSuffix(s[:i], "https") {
			return true
		}
		s = s[i+3:]
	}
}

// htmlFragment converts a piece of HTML found in Markdown.
func (c *Converter) htmlFragment(raw, site string) (string, error) {
	return c.HTML(raw, site)
}

// Markdown normalizes a Markdown body that an author wrote. The source is
// kept byte for byte except where it is unsafe to publish: raw HTML is
// replaced by its sanitized conversion, Stack Exchange language comments
// become the language of the code block they precede, unsafe link and
// image destinations are dropped (their text stays), others cleaned, and
// invisible characters outside code removed. Only when the document cannot
// be edited in place does it go through the HTML path as a whole.
func (c *Converter) Markdown(src, site string) (string, error) {
	if err := c.limit(src); err != nil {
		return "", err
	}
	out, ok, err := c.fix(limitNesting([]byte(forum.CleanText(src)), MaxDepth), site, false)
	if err != nil {
		return "", err
	}
	if !ok {
		return c.viaHTML(out, site)
	}
	return trimDoc(out), nil
}

// viaHTML renders Markdown to HTML (raw HTML included) and converts it back
// through the sanitizer: the last resort for documents that cannot be
// fixed in place. It loses the author's Markdown layout, not the text.
func (c *Converter) viaHTML(src []byte, site string) (string, error) {
	var buf bytes.Buffer
	if err := c.unsafe.Convert(src, &buf); err != nil {
		return "", fmt.Errorf("convert markdown: render: %w", err)
	}
	return c.HTML(buf.String(), site)
}

// trimDoc drops leading blank lines and trailing whitespace, and ends the
// document with one newline; leading spaces of the first line stay (they
// may make it a code block).
func trimDoc(md []byte) string {
	for {
		i := bytes.IndexByte(md, '\n')
		if i < 0 || len(bytes.TrimSpace(md[:i])) > 0 {
			break
		}
		md = md[i+1:]
	}
	md = bytes.TrimRight(md, " \t\n")
	if len(bytes.TrimSpace(md)) == 0 {
		return ""
	}
	return string(md) + "\n"
}
