package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/redact"
)

// words splits text into its words: runs of letters and digits, after
// compatibility normalisation (a superscript ¹ is the digit 1).
func words(s string) []string {
	return strings.FieldsFunc(norm.NFKC.String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// htmlText is the text of an HTML fragment, skipping what GitHub hides
// (email reply fragments) and SVG icons.
func htmlText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "svg" {
				return
			}
			for _, a := range n.Attr {
				if a.Key == "class" && strings.Contains(a.Val, "email-hidden") {
					return
				}
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

// markdownText is what a reader sees of a Markdown document: its text,
// code included, without markup.
func markdownText(src []byte) string {
	doc := md.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			b.Write(n.Value(src))
			b.WriteByte(' ')
		case *ast.String:
			b.Write(n.Value)
			b.WriteByte(' ')
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					b.Write(t.Value(src))
				}
			}
			b.WriteByte(' ')
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			b.Write(n.Label(src))
			b.WriteByte(' ')
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			b.WriteByte(' ')
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// missing returns the first source word that does not appear, in order,
// among the article's words, and how far the match got. Words the source
// split with markup that Markdown cannot keep (CO<sub>2</sub>,
// habitude<sup>1</sup>) may appear joined in the article.
func missing(src, art []string) (string, int) {
	j := 0
	for i := 0; i < len(src); i++ {
		w := src[i]
		k := j
		for k < len(art) && art[k] != w && !joins(src[i:], art[k]) {
			k++
		}
		if k == len(art) {
			return w, i
		}
		if art[k] != w {
			// Skip the source words the article joined into one.
			for joined := w; joined != art[k]; {
				i++
				joined += src[i]
			}
		}
		j = k + 1
	}
	return "", len(src)
}

// joins reports whether a starts with the concatenation of src's first words
// that make up exactly a.
func joins(src []string, a string) bool {
	joined := ""
	for _, w := range src {
		joined += w
		if joined == a {
			return len(joined) > len(src[0])
		}
		if !strings.HasPrefix(a, joined) {
			return false
		}
	}
	return false
}

// chrome is platform markup that must never reach an article.
var chrome = regexp.MustCompile(`(?i)\]\([^)]*(avatar|lightbox)|\d+\s*[×x]\s*\d+\s+\d+(\.\d+)?\s*[KM]B|class="|pl-[a-z]{1,3}\b|data-snippet|clipboard-copy|email-hidden|hovercard|user-mention|<img|<span|<div|<aside`)

// TestCorpusWordsSurvive renders every solved thread of every corpus sample
// and checks that the words of the title, the question and the answer, as
// they are in the raw export, appear in the article in the same order, and
// that no platform chrome comes through.
func TestCorpusWordsSurvive(t *testing.T) {
	r, err := newRendererFor("", "", redact.Config{}, "")
	if err != nil {
		t.Fatal(err)
	}
	raw := rawCorpus(t)
	samples := []Source{
		{Path: "../testdata/corpus/stackexchange/coffee-2015", Site: "https://coffee.stackexchange.com"},
		{Path: "../testdata/corpus/stackexchange/conlang-meta-2020", Site: "https://conlang.meta.stackexchange.com"},
		{Path: "../testdata/corpus/stackexchange/french-meta-2021", Site: "https://french.meta.stackexchange.com"},
		{Path: "../testdata/corpus/stackexchange/history-meta-2018", Site: "https://history.meta.stackexchange.com"},
		{Path: "../testdata/corpus/discourse/urho3d", Site: "https://discourse.urho3d.io"},
		{Path: "../testdata/corpus/discourse/mozilla-community", Site: "https://discourse.mozilla-community.org"},
		{Path: "../testdata/corpus/github-discussions/codestates-agora/discussions.json"},
	}
	total, redacted := 0, 0
	for _, s := range samples {
		rd, format, err := s.open(forum.Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = rd.Threads(context.Background(), func(th *forum.Thread) error {
			if th.Skip != "" {
				return nil
			}
			art, err := r.render(th)
			if err != nil {
				t.Errorf("%s %s: %v", format, th.ID, err)
				return nil
			}
			total++
			if art.redactions > 0 {
				// A redacted value replaces words on purpose.
				redacted++
				return nil
			}
			key := format + ":" + th.ID
			if format == forum.StackExchange {
				key = filepath.Base(s.Path) + ":" + th.ID
			}
			src, ok := raw[key]
			if !ok {
				t.Errorf("%s: the test found no raw text for this thread", key)
				return nil
			}
			_, body, _ := splitFrontMatter(art.content)
			got := words(markdownText(body))
			for _, part := range []struct{ name, text string }{
				{"question", src.question}, {"answer", src.answer},
			} {
				want := words(part.text)
				if len(want) == 0 {
					t.Errorf("%s: the raw %s has no words", key, part.name)
				}
				if w, at := missing(want, got); w != "" {
					t.Errorf("%s: %s word %d %q of %d is missing from the article", key, part.name, at, w, len(want))
				}
			}
			if w, _ := missing(words(src.title), words(th.Title)); w != "" || th.Title != strings.Join(strings.Fields(src.title), " ") {
				t.Errorf("%s: title %q is not the raw %q", key, th.Title, src.title)
			}
			if m := chrome.Find(art.content); m != nil {
				t.Errorf("%s: platform chrome %q in the article", key, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if total < 400 {
		t.Errorf("only %d articles rendered", total)
	}
	t.Logf("%d articles checked word for word, %d with redactions left out", total-redacted, redacted)
}

type rawThread struct{ title, question, answer string }

// rawCorpus reads the corpus's titles and bodies straight from the export
// files, without kbsync's readers: Stack Exchange Posts.xml (HTML bodies),
// Discourse raw Markdown, GitHub bodyHTML.
func rawCorpus(t *testing.T) map[string]rawThread {
	out := map[string]rawThread{}
	dumps, _ := filepath.Glob("../testdata/corpus/stackexchange/*/Posts.xml")
	for _, p := range dumps {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(f)
		posts := map[string]map[string]string{}
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
				a := map[string]string{}
				for _, at := range se.Attr {
					a[at.Name.Local] = at.Value
				}
				posts[a["Id"]] = a
			}
		}
		f.Close()
		// Where the dump has PostHistory.xml, the article is made from the
		// author's Markdown of the latest body revision: compare with that.
		latest := latestBodies(t, filepath.Join(filepath.Dir(p), "PostHistory.xml"))
		body := func(post map[string]string) string {
			if md, ok := latest[post["Id"]]; ok {
				// Stack Exchange shows [tag:x] as the tag's name.
				md = regexp.MustCompile(`\[(meta-)?tag:`).ReplaceAllString(md, "[")
				return markdownText([]byte(md))
			}
			return htmlText(post["Body"])
		}
		for id, q := range posts {
			if q["PostTypeId"] == "1" && q["AcceptedAnswerId"] != "" {
				if a, ok := posts[q["AcceptedAnswerId"]]; ok {
					out[filepath.Base(filepath.Dir(p))+":"+id] = rawThread{q["Title"], body(q), body(a)}
				}
			}
		}
	}
	mds, _ := filepath.Glob("../testdata/corpus/discourse/*/*.raw.md")
	for _, p := range mds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		js, err := os.ReadFile(strings.TrimSuffix(p, ".raw.md") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var topic struct {
			ID             int    `json:"id"`
			Title          string `json:"title"`
			AcceptedAnswer *struct {
				PostNumber int `json:"post_number"`
			} `json:"accepted_answer"`
		}
		if err := json.Unmarshal(js, &topic); err != nil {
			t.Fatal(err)
		}
		if topic.AcceptedAnswer == nil {
			continue
		}
		// /raw/{id}: blocks "user | date | #n", separated by a dashes line.
		blocks := map[int]string{}
		hdr := regexp.MustCompile(`(?m)^\S+ \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \| #(\d+)$`)
		locs := hdr.FindAllSubmatchIndex(b, -1)
		for i, l := range locs {
			end := len(b)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			n := 0
			for _, c := range b[l[2]:l[3]] {
				n = n*10 + int(c-'0')
			}
			blocks[n] = string(bytes.TrimSuffix(bytes.TrimSpace(b[l[1]:end]), []byte("-------------------------")))
		}
		// Discourse markup that is not text: quote BBCode and image sizes.
		markup := regexp.MustCompile(`\[/?quote[^\]]*\]|\|\d+x\d+`)
		clean := func(s string) string { return markdownText([]byte(markup.ReplaceAllString(s, " "))) }
		out["discourse:"+itoa(topic.ID)] = rawThread{topic.Title, clean(blocks[1]), clean(blocks[topic.AcceptedAnswer.PostNumber])}
	}
	b, err := os.ReadFile("../testdata/corpus/github-discussions/codestates-agora/discussions.json")
	if err != nil {
		t.Fatal(err)
	}
	var nodes []struct {
		ID       json.Number `json:"id"`
		Title    string      `json:"title"`
		BodyHTML string      `json:"bodyHTML"`
		Answer   *struct {
			BodyHTML string `json:"bodyHTML"`
		} `json:"answer"`
	}
	if err := json.Unmarshal(b, &nodes); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.Answer != nil {
			out["github:"+n.ID.String()] = rawThread{n.Title, htmlText(n.BodyHTML), htmlText(n.Answer.BodyHTML)}
		}
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// latestBodies reads PostHistory.xml (when present): post id -> the Text of
// its latest body revision (types 2, 5, 8), by date then revision id.
func latestBodies(t *testing.T, path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type rev struct{ date, id, text string }
	best := map[string]rev{}
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		a := map[string]string{}
		for _, at := range se.Attr {
			a[at.Name.Local] = at.Value
		}
		switch a["PostHistoryTypeId"] {
		case "2", "5", "8":
		default:
			continue
		}
		r := rev{a["CreationDate"], a["Id"], a["Text"]}
		old, seen := best[a["PostId"]]
		if !seen || r.date > old.date || (r.date == old.date && len(r.id) > len(old.id)) || (r.date == old.date && len(r.id) == len(old.id) && r.id > old.id) {
			best[a["PostId"]] = r
		}
	}
	for id, r := range best {
		out[id] = r.text
	}
	return out
}
