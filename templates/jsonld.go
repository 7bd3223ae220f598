package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// Kinds of schema.org structured data (Meta.StructuredData).
const (
	// JSONLDQAPage is the type for a page of user-submitted answers, as
	// forum threads are (discourse-solved emits it).
	JSONLDQAPage = "QAPage"
	// JSONLDFAQPage is the type for a publisher's own questions and answers.
	JSONLDFAQPage = "FAQPage"
)

type ldPerson struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type ldAnswer struct {
	Type        string    `json:"@type"`
	Text        string    `json:"text"`
	URL         string    `json:"url,omitempty"`
	Author      *ldPerson `json:"author,omitempty"`
	DateCreated string    `json:"dateCreated,omitempty"`
}

type ldQuestion struct {
	Type           string    `json:"@type"`
	Name           string    `json:"name"`
	Text           string    `json:"text,omitempty"`
	AnswerCount    int       `json:"answerCount,omitempty"`
	DateCreated    string    `json:"dateCreated,omitempty"`
	Author         *ldPerson `json:"author,omitempty"`
	AcceptedAnswer ldAnswer  `json:"acceptedAnswer"`
}

// JSONLD returns the schema.org JSON-LD of an article, a QAPage or an
// FAQPage per m.StructuredData, with the plain text of m.Question and
// m.Answer so that it matches what the page shows. The JSON is HTML-safe
// (<, > and & escaped), so a theme can print it raw in a script element.
func JSONLD(m *Meta) (string, error) {
	person := func(name string) *ldPerson {
		if name == "" {
			return nil
		}
		return &ldPerson{"Person", name}
	}
	q := ldQuestion{Type: "Question", Name: m.Title, Text: PlainText(m.Question),
		AcceptedAnswer: ldAnswer{Type: "Answer", Text: PlainText(m.Answer)}}
	var v any
	switch m.StructuredData {
	case JSONLDQAPage:
		q.AnswerCount = 1
		q.DateCreated = rfc3339(m.Date)
		q.Author = person(m.QuestionAuthor)
		q.AcceptedAnswer.URL = m.AnswerURL
		q.AcceptedAnswer.Author = person(m.AnswerAuthor)
		v = struct {
			Context    string     `json:"@context"`
			Type       string     `json:"@type"`
			MainEntity ldQuestion `json:"mainEntity"`
		}{"https://schema.org", JSONLDQAPage, q}
	case JSONLDFAQPage:
		// FAQPage questions carry a name and the answer only.
		q.Text = ""
		v = struct {
			Context    string       `json:"@context"`
			Type       string       `json:"@type"`
			MainEntity []ldQuestion `json:"mainEntity"`
		}{"https://schema.org", JSONLDFAQPage, []ldQuestion{q}}
	default:
		return "", fmt.Errorf("templates: unknown structured data type %q (use %s or %s)", m.StructuredData, JSONLDQAPage, JSONLDFAQPage)
	}
	b, err := json.Marshal(v) // escapes <, >, &, U+2028 and U+2029
	if err != nil {
		return "", fmt.Errorf("templates: json-ld: %w", err)
	}
	return string(b), nil
}

var plainMarkdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// PlainText is the text a reader sees when md is rendered: Markdown syntax,
// escapes and entity references resolved, code kept as written, image alt
// text kept, raw HTML dropped. Blocks are separated by a blank line, table
// cells by a tab; soft line breaks become spaces.
func PlainText(md string) string {
	src := []byte(md)
	doc := plainMarkdown.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	// block starts a new block: one blank line after any text.
	block := func(sep string) {
		s := strings.TrimRight(b.String(), " \t")
		if s == "" {
			b.Reset()
			return
		}
		if !strings.HasSuffix(s, "\n\n") && !strings.HasSuffix(s, sep) {
			b.Reset()
			b.WriteString(strings.TrimRight(s, "\n"))
			b.WriteString(sep)
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Paragraph, *ast.Heading, *ast.TextBlock, *ast.ThematicBreak, *east.Table:
			if entering {
				block("\n\n")
			}
		case *east.TableRow, *east.TableHeader:
			if entering {
				block("\n")
			}
		case *east.TableCell:
			if entering && n.PreviousSibling() != nil {
				b.WriteString("\t")
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if entering {
				block("\n\n")
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			if entering {
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					switch t := c.(type) {
					case *ast.Text:
						b.WriteString(strings.ReplaceAll(string(t.Segment.Value(src)), "\n", " "))
					case *ast.String:
						b.Write(t.Value)
					}
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if entering {
				b.WriteString(visible(n.Segment.Value(src)))
				switch {
				case n.HardLineBreak():
					b.WriteString("\n")
				case n.SoftLineBreak():
					b.WriteString(" ")
				}
			}
		case *ast.String:
			if entering {
				if n.IsCode() || n.IsRaw() {
					b.Write(n.Value)
				} else {
					b.WriteString(visible(n.Value))
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// visible resolves backslash escapes and entity references in inline text
// exactly as goldmark's HTML renderer does, then undoes its HTML escaping.
func visible(seg []byte) string {
	if !bytes.ContainsAny(seg, `\&`) && !bytes.ContainsRune(seg, 0) {
		return string(seg)
	}
	var out bytes.Buffer
	w := bufWriter{&out}
	ghtml.DefaultWriter.Write(w, seg)
	return html.UnescapeString(out.String())
}

// bufWriter adapts a bytes.Buffer to goldmark's util.BufWriter.
type bufWriter struct{ *bytes.Buffer }

func (bufWriter) Available() int { return 4096 }
func (bufWriter) Buffered() int  { return 0 }
func (bufWriter) Flush() error   { return nil }
