package convert

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const corpusDir = "../../testdata/corpus"

// corpusBody is one real post body from the corpus.
type corpusBody struct {
	name string // file and record, for messages
	text string
	html bool // rendered HTML; otherwise the author's Markdown
}

// loadCorpus decodes every corpus file generically: Stack Exchange XML rows
// (Posts.xml Body is HTML; PostHistory.xml Text of body revisions, types
// 2, 5 and 8, is Markdown), JSON values under "cooked" and "bodyHTML"
// (HTML) or "raw" and "body" (Markdown), and Discourse .raw.md topic dumps
// split into posts.
func loadCorpus(t testing.TB) []corpusBody {
	t.Helper()
	var out []corpusBody
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(corpusDir, path)
		switch {
		case strings.HasSuffix(path, "/Posts.xml"):
			return xmlRows(path, func(id string, attrs map[string]string) {
				if b := attrs["Body"]; b != "" {
					out = append(out, corpusBody{rel + " row " + id, b, true})
				}
			})
		case strings.HasSuffix(path, "/PostHistory.xml"):
			return xmlRows(path, func(id string, attrs map[string]string) {
				switch attrs["PostHistoryTypeId"] {
				case "2", "5", "8":
					if b := attrs["Text"]; b != "" {
						out = append(out, corpusBody{rel + " row " + id, b, false})
					}
				}
			})
		case strings.HasSuffix(path, ".raw.md"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, post := range strings.Split(string(data), "\n-------------------------\n") {
				// Each post starts with a "user | date | #n" line.
				if _, body, ok := strings.Cut(post, "\n"); ok && strings.TrimSpace(body) != "" {
					out = append(out, corpusBody{rel + " post " + itoa(i), body, false})
				}
			}
		case strings.HasSuffix(path, ".json"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return err
			}
			n := 0
			walkJSON(v, func(key, s string) {
				n++
				switch key {
				case "cooked", "bodyHTML":
					out = append(out, corpusBody{rel + " " + key + " " + itoa(n), s, true})
				case "raw", "body":
					out = append(out, corpusBody{rel + " " + key + " " + itoa(n), s, false})
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 1000 {
		t.Fatalf("only %d corpus bodies found under %s", len(out), corpusDir)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// xmlRows streams the <row> elements of a Stack Exchange dump file.
func xmlRows(path string, fn func(id string, attrs map[string]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		attrs := map[string]string{}
		for _, a := range se.Attr {
			attrs[a.Name.Local] = a.Value
		}
		fn(attrs["Id"], attrs)
	}
}

// walkJSON calls fn for every string value with the key that holds it.
func walkJSON(v any, fn func(key, s string)) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok {
				fn(k, s)
				continue
			}
			walkJSON(v[k], fn)
		}
	case []any:
		for _, x := range v {
			walkJSON(x, fn)
		}
	}
}

// --- what a reader sees, independent of the converter ---

var unsafeMD = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

// renderUnsafe renders Markdown to HTML with raw HTML kept, the way a site
// with `unsafe = true` would.
func renderUnsafe(t testing.TB, md string) string {
	var buf bytes.Buffer
	if err := unsafeMD.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// htmlWords is the word sequence a reader sees in an HTML document: the
// text of every text node (but scripts, styles and other non-content
// elements) and the alt text of images, split into runs of letters, digits
// and marks. Format characters (zero-width, bidi) are removed first, and
// case is kept. Punctuation, Markdown syntax and whitespace do not count, so
// two documents with the same words in the same order read the same,
// whatever their markup. The lead reuses this idea at the article level.
func htmlWords(doc string) []string {
	root, err := xhtml.Parse(strings.NewReader(doc))
	if err != nil {
		return nil
	}
	var b strings.Builder
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			b.WriteString(n.Data)
		case xhtml.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Svg, atom.Math, atom.Textarea, atom.Select, atom.Head:
				return
			case atom.Img:
				for _, a := range n.Attr {
					if a.Key == "alt" {
						b.WriteString(" " + a.Val + " ")
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		// Inline elements do not split words (CO<sub>2</sub> reads "CO2").
		if n.Type == xhtml.ElementNode && !inlineElement[n.DataAtom] {
			b.WriteByte(' ')
		}
	}
	walk(root)
	return words(b.String())
}

var inlineElement = map[atom.Atom]bool{atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true,
	atom.Cite: true, atom.Code: true, atom.Del: true, atom.Dfn: true, atom.Em: true, atom.I: true, atom.Ins: true,
	atom.Kbd: true, atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true, atom.Span: true,
	atom.Strike: true, atom.Strong: true, atom.Sub: true, atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Font: true, atom.Tt: true, atom.Big: true}

func words(s string) []string {
	return strings.FieldsFunc(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// sameWords compares two word sequences and describes the first place
// where they part, with some context.
func sameWords(want, got []string) (bool, string) {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	if i == len(want) && i == len(got) {
		return true, ""
	}
	ctx := func(w []string) string {
		lo, hi := max(0, i-5), min(len(w), i+6)
		return strings.Join(w[lo:hi], " ")
	}
	return false, "word " + itoa(i) + ": want …" + ctx(want) + "… got …" + ctx(got) + "…"
}

// htmlCode returns the text of every <pre> element of an HTML document,
// entities decoded: the code blocks a reader sees.
func htmlCode(doc string) []string {
	root, err := xhtml.Parse(strings.NewReader(doc))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && n.DataAtom == atom.Pre {
			var b strings.Builder
			var text func(n *xhtml.Node)
			text = func(n *xhtml.Node) {
				if n.Type == xhtml.TextNode {
					b.WriteString(n.Data)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					text(c)
				}
			}
			text(n)
			out = append(out, b.String())
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

// htmlLinks returns the http(s) href and src values of an HTML document.
func htmlLinks(doc string) []string {
	root, err := xhtml.Parse(strings.NewReader(doc))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && (n.DataAtom == atom.A || n.DataAtom == atom.Img) {
			for _, a := range n.Attr {
				if (a.Key == "href" || a.Key == "src") && (strings.HasPrefix(a.Val, "http://") || strings.HasPrefix(a.Val, "https://")) {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

// mdCode returns the content of every code block of a Markdown document.
func mdCode(md string) []string {
	src := []byte(md)
	doc := Parser().Parser().Parse(text.NewReader(src))
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			var b strings.Builder
			for i := range n.Lines().Len() {
				seg := n.Lines().At(i)
				b.Write(seg.Value(src))
			}
			out = append(out, b.String())
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return out
}

// normURL compares URLs by what they point at: percent-escapes and
// entities decoded.
func normURL(u string) string {
	u = html.UnescapeString(strings.TrimSpace(u))
	for range 2 {
		if d, err := url.PathUnescape(u); err == nil {
			u = d
		}
	}
	return strings.TrimSuffix(strings.ReplaceAll(u, "+", " "), "#")
}

// containsCode reports whether want appears as one of the code blocks.
// A code block's content in Markdown always ends with a newline, so a
// missing final newline in the HTML is not a difference; the converter
// removes C0/C1 controls everywhere, code included.
func containsCode(blocks []string, want string) bool {
	want = strings.TrimSuffix(cleanControls(want), "\n") + "\n"
	for _, b := range blocks {
		if b == want {
			return true
		}
	}
	return false
}

func cleanControls(s string) string {
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func TestCorpusRoundTrip(t *testing.T) {
	c := New()
	bodies := loadCorpus(t)
	var nHTML, nMD, nCode, nLinks, nDropped, nInvalid int
	for _, b := range bodies {
		var out string
		var err error
		if b.html {
			nHTML++
			out, err = c.HTML(b.text, "https://forum.example")
		} else {
			nMD++
			out, err = c.Markdown(b.text, "https://forum.example")
		}
		if err != nil {
			t.Errorf("%s: %v", b.name, err)
			continue
		}
		if err := c.Check([]byte(out)); err != nil {
			t.Errorf("%s: Check: %v", b.name, err)
		}
		again, err := c.Markdown(out, "https://forum.example")
		if err != nil || again != out {
			t.Errorf("%s: not idempotent (err %v):\n%q\n%q", b.name, err, out, again)
		}
		srcHTML := b.text
		if !b.html {
			srcHTML = renderUnsafe(t, cleanControls(b.text))
		}
		outHTML := renderUnsafe(t, out)
		if ok, where := sameWords(htmlWords(srcHTML), htmlWords(outHTML)); !ok {
			t.Errorf("%s: words differ at %s", b.name, where)
		}
		blocks := mdCode(out)
		var wantCode []string
		if b.html {
			wantCode = htmlCode(b.text)
		} else {
			wantCode = mdCode(cleanControls(b.text))
		}
		for _, code := range wantCode {
			nCode++
			if !containsCode(blocks, code) {
				t.Errorf("%s: code block not kept byte for byte:\n%q\nin %q", b.name, code, blocks)
			}
		}
		got := map[string]bool{}
		for _, l := range htmlLinks(outHTML) {
			got[normURL(l)] = true
		}
		for _, l := range htmlLinks(srcHTML) {
			nLinks++
			if got[normURL(l)] {
				continue
			}
			if _, err := url.Parse(l); err != nil {
				nInvalid++ // no browser could follow it either: the text stays
				continue
			}
			// The policy may change a URL (credentials, user-info); then
			// the changed one must be there.
			if clean := cleanURL(l, ""); clean != l && (clean == "" || got[normURL(clean)]) {
				nDropped++
				continue
			}
			t.Errorf("%s: link %q lost", b.name, l)
		}
	}
	t.Logf("%d HTML and %d Markdown bodies, %d code blocks, %d links (%d changed by the URL policy, %d invalid)", nHTML, nMD, nCode, nLinks, nDropped, nInvalid)
}
