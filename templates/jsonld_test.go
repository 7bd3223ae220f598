package templates_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"

	"github.com/kbsync/kbsync/templates"
)

// markdownSamples cover what converted forum posts hold.
var markdownSamples = []string{
	"Plain text.",
	"Use *emphasis*, **strong**, ~~gone~~ and `code <b>`.",
	"A [link](https://example.com \"t\") and <https://example.org/x?a=1&b=2> and www.example.net.",
	"Escapes: \\*not emphasis\\*, \\[x\\], 1 \\< 2, &amp; &copy; &#42; &#x41; &bogus;",
	"# Heading\n\nPara one\nsoft break.\n\nHard break  \nhere, and\\\nhere.",
	"- item one\n- item **two**\n  - nested\n\n1. first\n2. second",
	"> quoted\n> text",
	"```go\nfunc main() { fmt.Println(\"<hi>\") }\n```\n\n    indented code &amp;\n",
	"| a | b |\n|---|---|\n| 1 | `|` |\n| x \\| y | ![alt text](i.png) |",
	"Raw <span>html</span> is dropped.\n\n<div>block</div>\n\nafter",
	"- [x] done\n- [ ] todo",
	"Line with trailing backslash \\\\ and a tab\there.",
	"***\n\nBreak above. Ünïcödé ☕ and RTL: مرحبا",
	"{{< shortcode >}} and {% liquid %} stay text",
}

// visibleText is the text of the HTML goldmark renders, with image alt
// text, as a browser would show it (whitespace collapsed).
func visibleText(t *testing.T, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			if n.Data == "img" {
				for _, a := range n.Attr {
					if a.Key == "alt" {
						b.WriteString(a.Val)
					}
				}
			}
			if n.Data == "br" {
				b.WriteString(" ")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "p", "li", "h1", "h2", "pre", "blockquote", "td", "th", "tr", "hr":
				b.WriteString(" ")
			}
		}
	}
	walk(doc)
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestPlainTextMatchesRenderedText(t *testing.T) {
	for _, md := range markdownSamples {
		got := strings.Join(strings.Fields(templates.PlainText(md)), " ")
		if want := visibleText(t, md); got != want {
			t.Errorf("PlainText(%q)\n got %q\nwant %q", md, got, want)
		}
	}
}

func TestPlainTextBlocks(t *testing.T) {
	got := templates.PlainText("# Title\n\nOne\ntwo.\n\n```\ncode\n  kept\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
	want := "Title\n\nOne two.\n\ncode\n  kept\n\na\tb\n1\t2"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

func jsonldMeta(kind string) *templates.Meta {
	return &templates.Meta{
		Title: `Why does my shot taste "sour" & <thin>?`, SourceURL: "https://coffee.stackexchange.com/q/1",
		AnswerURL: "https://coffee.stackexchange.com/a/2", QuestionAuthor: "Ana", AnswerAuthor: "Bo",
		Date:     time.Date(2015, 1, 27, 21, 23, 5, 0, time.UTC),
		Question: "My espresso is **sour**.\n\n```\ngrind=12\n```", Answer: "Grind *finer*: 1 \\< 2 </script><script>alert(1)</script>",
		StructuredData: kind,
	}
}

func TestJSONLD(t *testing.T) {
	for _, kind := range []string{templates.JSONLDQAPage, templates.JSONLDFAQPage} {
		m := jsonldMeta(kind)
		for _, name := range templates.PresetNames() {
			p, _ := templates.LookupPreset(name)
			fm, err := p.FrontMatter(m)
			if err != nil {
				t.Fatal(err)
			}
			js := jsonldOf(t, name, parseFM(t, fm))
			if !json.Valid([]byte(js)) {
				t.Fatalf("%s %s: jsonld %q is not valid JSON", name, kind, js)
			}
			if strings.Contains(strings.ToLower(js), "</script") || strings.ContainsAny(js, "<>") {
				t.Errorf("%s %s: jsonld can end a script element: %s", name, kind, js)
			}
			var ld struct {
				Context    string          `json:"@context"`
				Type       string          `json:"@type"`
				MainEntity json.RawMessage `json:"mainEntity"`
			}
			if err := json.Unmarshal([]byte(js), &ld); err != nil {
				t.Fatal(err)
			}
			if kind == templates.JSONLDFAQPage {
				var list []json.RawMessage
				if err := json.Unmarshal(ld.MainEntity, &list); err != nil || len(list) != 1 {
					t.Fatalf("FAQPage mainEntity is not a one-element array: %s", ld.MainEntity)
				}
				ld.MainEntity = list[0]
			}
			var raw map[string]any
			if err := json.Unmarshal(ld.MainEntity, &raw); err != nil {
				t.Fatal(err)
			}
			acc, _ := raw["acceptedAnswer"].(map[string]any)
			if ld.Context != "https://schema.org" || ld.Type != kind || raw["@type"] != "Question" || acc["@type"] != "Answer" {
				t.Errorf("%s %s: types %q %q %v %v", name, kind, ld.Context, ld.Type, raw["@type"], acc["@type"])
			}
			if raw["name"] != m.Title {
				t.Errorf("name = %v, want the title", raw["name"])
			}
			// The tags are raw HTML (dropped); the text between them shows.
			if acc["text"] != "Grind finer: 1 < 2 alert(1)" || visibleText(t, m.Answer) != acc["text"] {
				t.Errorf("answer text = %q, visible %q", acc["text"], visibleText(t, m.Answer))
			}
			switch kind {
			case templates.JSONLDQAPage:
				if raw["text"] != "My espresso is sour.\n\ngrind=12" || raw["answerCount"] != 1.0 || acc["url"] != m.AnswerURL ||
					raw["dateCreated"] != "2015-01-27T21:23:05Z" {
					t.Errorf("QAPage question = %v", raw)
				}
			case templates.JSONLDFAQPage:
				if _, ok := raw["text"]; ok {
					t.Errorf("FAQPage question carries text: %v", raw)
				}
			}
		}
	}
}

// jsonldOf is the JSON-LD of a parsed front matter: the jsonld key, or for
// Docusaurus the URI-encoded jsonld_uri.
func jsonldOf(t *testing.T, preset string, m map[string]any) string {
	t.Helper()
	if preset != "docusaurus" {
		js, _ := m["jsonld"].(string)
		return js
	}
	enc, _ := m["jsonld_uri"].(string)
	if _, ok := m["jsonld"]; ok || strings.Contains(enc, "\\") {
		t.Errorf("docusaurus: jsonld not URI-encoded: %v", m)
	}
	js, err := url.PathUnescape(enc)
	if err != nil {
		t.Errorf("docusaurus: jsonld_uri %q: %v", enc, err)
	}
	return js
}

func TestJSONLDUnknownKind(t *testing.T) {
	p, _ := templates.LookupPreset("hugo")
	if _, err := p.FrontMatter(&templates.Meta{Title: "t", StructuredData: "HowTo"}); err == nil || !strings.Contains(err.Error(), "QAPage") {
		t.Errorf("err = %v, want the kinds listed", err)
	}
}
