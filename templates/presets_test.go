package templates_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kbsync/kbsync/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// designKeys are DESIGN's keys, present at the top level in every preset.
var designKeys = []string{"title", "source", "source_id", "source_url", "answer_id", "answer_url",
	"question_author", "answer_author", "tags", "date", "lastmod", "license"}

// riskyTitles are titles that YAML, Markdown or a YAML 1.1 reader would
// misread if written carelessly.
var riskyTitles = []string{
	`Yes: no #1 "quoted" & <b>`,
	`yes`, `nO`, `Off`, `NULL`, `~`, `=`, `<<`, `:hover does not work`, `1,000 cups`, `1,000`,
	`- dash first`, `? question first`, `[Solved] brackets`, `{{< shortcode >}}`, `{% raw %}`,
	`'single' and "double"`, `#hashtag`, `@mention`, `*bold*`, `!important`, `%percent`, "`code`",
	`2024-01-01`, `12:30`, `0x1F`, `1e3`, `.inf`, `¿Cómo se dice?`, `كيف أقوم بذلك؟`, `Как это сделать?`,
	`tab	inside`, `trailing space `, ` leading space`, `back\slash`, `emoji ☕ cup`, "zero\u200bwidth",
	strings.Repeat("long title ", 30),
}

func fullMeta() *templates.Meta {
	return &templates.Meta{
		Title: `Yes: no #1 "quoted" & <b>`, Source: "stackexchange", SourceID: "42",
		SourceURL: "https://coffee.stackexchange.com/q/42", AnswerID: "43",
		AnswerURL: "https://coffee.stackexchange.com/a/43", QuestionAuthor: "Ana", AnswerAuthor: "Bo",
		Tags: []string{"espresso", "c++", ":hover"}, Date: time.Date(2015, 1, 27, 21, 23, 5, 0, time.UTC),
		Lastmod: time.Date(2015, 2, 1, 8, 0, 0, 0, time.FixedZone("x", 3600)), License: "CC BY-SA 3.0",
		Lang: "en", Description: "How to pull a shot",
		AlsoAsked: []string{"How do I pull an espresso shot?", "Espresso: 1,000 tries", "How do I pull an espresso shot?"},
		Aliases:   []string{"old-slug.md", "../escape.md", "sub/older"},
	}
}

func parseFM(t *testing.T, fm string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(fm), &m); err != nil {
		t.Fatalf("front matter does not parse: %v\n%s", err, fm)
	}
	return m
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestPresetNames(t *testing.T) {
	want := []string{"docusaurus", "hugo", "jekyll", "mkdocs", "plain"}
	if got := templates.PresetNames(); !reflect.DeepEqual(got, want) {
		t.Fatalf("PresetNames = %v, want %v", got, want)
	}
	for _, n := range want {
		p, err := templates.LookupPreset(" " + strings.ToUpper(n) + " ")
		if err != nil || p.Name != n || p.ContentDir == "" || p.Escape == "" {
			t.Errorf("LookupPreset(%s) = %+v, %v", n, p, err)
		}
	}
	if _, err := templates.LookupPreset("gatsby"); err == nil || !strings.Contains(err.Error(), "hugo") {
		t.Errorf("unknown preset: err = %v, want the list of presets", err)
	}
}

func TestPresetFrontMatterGolden(t *testing.T) {
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		for _, draft := range []bool{false, true} {
			m := fullMeta()
			m.Draft = draft
			fm, err := p.FrontMatter(m)
			if err != nil {
				t.Fatal(err)
			}
			file := "frontmatter/" + name + ".yaml"
			if draft {
				file = "frontmatter/" + name + "-draft.yaml"
			}
			golden(t, file, []byte(fm))
		}
	}
}

// TestPresetFrontMatterKeys checks what each generator reads, on the parsed
// YAML rather than on text.
func TestPresetFrontMatterKeys(t *testing.T) {
	for _, name := range templates.PresetNames() {
		t.Run(name, func(t *testing.T) {
			p, _ := templates.LookupPreset(name)
			fm, err := p.FrontMatter(fullMeta())
			if err != nil {
				t.Fatal(err)
			}
			m := parseFM(t, fm)
			for _, k := range designKeys {
				if _, ok := m[k]; !ok {
					t.Errorf("key %s missing", k)
				}
			}
			if m["date"] != "2015-01-27T21:23:05Z" || m["lastmod"] != "2015-02-01T07:00:00Z" {
				t.Errorf("dates: %v %v, want RFC 3339 UTC", m["date"], m["lastmod"])
			}
			if !reflect.DeepEqual(m["tags"], []any{"espresso", "c++", ":hover"}) {
				t.Errorf("tags = %#v", m["tags"])
			}
			if !reflect.DeepEqual(m["keywords"], []any{"How do I pull an espresso shot?", "Espresso: 1,000 tries"}) {
				t.Errorf("keywords = %#v, want the also-asked titles once each", m["keywords"])
			}
			if m["lang"] != "en" || m["description"] != "How to pull a shot" {
				t.Errorf("lang, description = %v, %v", m["lang"], m["description"])
			}
			if _, ok := m["jsonld"]; ok {
				t.Error("jsonld is written although structured data is off")
			}
			for _, k := range []string{"draft", "published"} {
				if _, ok := m[k]; ok {
					t.Errorf("%s set on a live article", k)
				}
			}
			switch name {
			case "hugo", "docusaurus", "mkdocs", "plain":
				if !reflect.DeepEqual(m["aliases"], []any{"old-slug", "escape", "sub/older"}) {
					t.Errorf("aliases = %#v", m["aliases"])
				}
			case "jekyll":
				want := []any{"/faq/old-slug.html", "/faq/old-slug/", "/faq/escape.html", "/faq/escape/", "/faq/sub/older.html", "/faq/sub/older/"}
				if !reflect.DeepEqual(m["redirect_from"], want) {
					t.Errorf("redirect_from = %#v, want %#v", m["redirect_from"], want)
				}
				if m["render_with_liquid"] != false || m["last_modified_at"] != "2015-02-01T07:00:00Z" {
					t.Errorf("render_with_liquid, last_modified_at = %v, %v", m["render_with_liquid"], m["last_modified_at"])
				}
			}
			if name == "docusaurus" && !reflect.DeepEqual(m["last_update"], map[string]any{"date": "2015-02-01T07:00:00Z"}) {
				t.Errorf("last_update = %#v", m["last_update"])
			}
			if name == "mkdocs" && m["render_macros"] != false {
				t.Errorf("render_macros = %v", m["render_macros"])
			}
		})
	}
}

func TestJekyllURLBase(t *testing.T) {
	p, _ := templates.LookupPreset("jekyll")
	for base, want := range map[string]string{"": "/faq/a.html", "/help": "/help/a.html", "docs/kb/": "/docs/kb/a.html", "/": "/a.html"} {
		fm, err := p.FrontMatter(&templates.Meta{Title: "t", Aliases: []string{"a.md"}, URLBase: base})
		if err != nil {
			t.Fatal(err)
		}
		if got := parseFM(t, fm)["redirect_from"].([]any)[0]; got != want {
			t.Errorf("URLBase %q: redirect_from[0] = %v, want %s", base, got, want)
		}
	}
}

// TestRiskyTitles round-trips titles and tags that YAML readers misread,
// and checks that each value stays on its key's line.
func TestRiskyTitles(t *testing.T) {
	for _, name := range templates.PresetNames() {
		p, _ := templates.LookupPreset(name)
		for _, title := range riskyTitles {
			fm, err := p.FrontMatter(&templates.Meta{Title: title, Tags: []string{title}, AnswerAuthor: title, AlsoAsked: []string{title}})
			if err != nil {
				t.Fatalf("%s %q: %v", name, title, err)
			}
			m := parseFM(t, fm)
			if m["title"] != title || m["answer_author"] != title || !reflect.DeepEqual(m["tags"], []any{title}) {
				t.Errorf("%s %q: parsed back as %#v", name, title, m)
			}
			if !titleOnOneLine(fm, title) {
				t.Errorf("%s %q: title not on one line:\n%s", name, title, fm)
			}
			assertQuotedUnlessLetter(t, fm)
		}
	}
}

// titleOnOneLine reports whether the title line alone parses as the title.
func titleOnOneLine(fm, title string) bool {
	for _, line := range strings.Split(fm, "\n") {
		if strings.HasPrefix(line, "title: ") {
			var m struct{ Title string }
			return yaml.Unmarshal([]byte(line), &m) == nil && m.Title == title
		}
	}
	return false
}

// assertQuotedUnlessLetter checks the rule YAML 1.1 readers need: every
// plain (unquoted) string value starts with a letter and is no 1.1 word.
func assertQuotedUnlessLetter(t *testing.T, fm string) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node, key bool)
	walk = func(n *yaml.Node, key bool) {
		if n.Kind == yaml.ScalarNode && !key && n.Tag == "!!str" && n.Style == 0 {
			first := []rune(n.Value)
			if len(first) == 0 || !(first[0] >= 'a' && first[0] <= 'z' || first[0] >= 'A' && first[0] <= 'Z' || first[0] > 127) {
				t.Errorf("plain scalar %q does not start with a letter", n.Value)
			}
			switch strings.ToLower(n.Value) {
			case "yes", "no", "on", "off", "true", "false", "null", "y", "n":
				t.Errorf("plain scalar %q is a YAML 1.1 word", n.Value)
			}
		}
		for i, c := range n.Content {
			walk(c, n.Kind == yaml.MappingNode && i%2 == 0)
		}
	}
	walk(&root, false)
}

func TestFrontMatterInvalidUTF8(t *testing.T) {
	p, _ := templates.LookupPreset("hugo")
	fm, err := p.FrontMatter(&templates.Meta{Title: "caf\xe9", Tags: []string{"\xff"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(fm, "!!binary") {
		t.Fatalf("invalid UTF-8 written as binary:\n%s", fm)
	}
	if m := parseFM(t, fm); m["title"] != "caf\uFFFD" {
		t.Errorf("title = %q", m["title"])
	}
}

// TestMarkDraft checks each preset's marker on its own front matter: the
// marker is set, every original byte is kept, and marking twice changes
// nothing more.
func TestMarkDraft(t *testing.T) {
	markers := map[string]map[string]any{
		"hugo":       {"draft": true},
		"docusaurus": {"draft": true},
		"plain":      {"draft": true},
		"mkdocs":     {"draft": true, "search": map[string]any{"exclude": true}},
		"jekyll":     {"published": false},
	}
	for _, name := range templates.PresetNames() {
		t.Run(name, func(t *testing.T) {
			p, _ := templates.LookupPreset(name)
			m := fullMeta()
			m.StructuredData = templates.JSONLDQAPage
			m.Question, m.Answer = "Why *this*?", "Because `that`."
			fm, err := p.FrontMatter(m)
			if err != nil {
				t.Fatal(err)
			}
			body := "\nQuestion\n\n## Accepted answer\n\nAnswer: ---\n---\n"
			doc := []byte("---\n" + fm + "---\n" + body)
			out, err := p.MarkDraft(doc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte("---\n"+fm)) || !bytes.HasSuffix(out, []byte("---\n"+body)) {
				t.Fatalf("MarkDraft changed more than the marker:\n%s", out)
			}
			added := strings.TrimSuffix(strings.TrimPrefix(string(out), "---\n"+fm), "---\n"+body)
			got := parseFM(t, added)
			if !reflect.DeepEqual(got, markers[name]) {
				t.Errorf("added %#v, want %#v", got, markers[name])
			}
			again, err := p.MarkDraft(out)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("MarkDraft is not idempotent:\n%s", again)
			}
			// Retired at render time: the same marker from FrontMatter.
			m.Draft = true
			fmDraft, err := p.FrontMatter(m)
			if err != nil {
				t.Fatal(err)
			}
			parsed := parseFM(t, fmDraft)
			for k, v := range markers[name] {
				if !reflect.DeepEqual(parsed[k], v) {
					t.Errorf("FrontMatter(Draft) %s = %#v, want %#v", k, parsed[k], v)
				}
			}
		})
	}
}

// TestMarkDraftEdited marks a front matter a person edited: comments,
// their own keys and an existing marker are kept in place.
func TestMarkDraftEdited(t *testing.T) {
	doc := "---\n# reviewed by support\ntitle: Edited title # keep\nweight: 3\ndraft: false\npublished: true\n---\nBody\n"
	cases := map[string]string{
		"hugo":   "---\n# reviewed by support\ntitle: Edited title # keep\nweight: 3\ndraft: true\npublished: true\n---\nBody\n",
		"jekyll": "---\n# reviewed by support\ntitle: Edited title # keep\nweight: 3\ndraft: false\npublished: false\n---\nBody\n",
		"mkdocs": "---\n# reviewed by support\ntitle: Edited title # keep\nweight: 3\ndraft: true\npublished: true\nsearch:\n  exclude: true\n---\nBody\n",
	}
	for name, want := range cases {
		p, _ := templates.LookupPreset(name)
		got, err := p.MarkDraft([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
	p, _ := templates.LookupPreset("hugo")
	for _, bad := range []string{"no front matter\n", "---\ntitle: x\n", "---\n- a list\n---\n", "---\ntitle: [unclosed\n---\n"} {
		if _, err := p.MarkDraft([]byte(bad)); err == nil {
			t.Errorf("MarkDraft(%q) succeeded", bad)
		}
	}
}

func TestDocusaurusSidebarLabel(t *testing.T) {
	p, _ := templates.LookupPreset("docusaurus")
	for title, want := range map[string]any{
		"Plain title":                     nil,
		"a < b":                           nil,
		"Why </script> ends it":           "Why <\u200b/script> ends it",
		"<!-- comment --> and </b>":       "<\u200b!-- comment --> and <\u200b/b>",
		"</SCRIPT><script>alert(1)</scr>": "<\u200b/SCRIPT><script>alert(1)<\u200b/scr>",
	} {
		fm, err := p.FrontMatter(&templates.Meta{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		m := parseFM(t, fm)
		if got, ok := m["sidebar_label"]; (want == nil && ok) || (want != nil && got != want) {
			t.Errorf("%q: sidebar_label = %q, want %v", title, got, want)
		}
		if m["title"] != title {
			t.Errorf("%q: title changed to %q", title, m["title"])
		}
	}
}

// TestDocusaurusBackslashes: the backslash sequences that fail a Docusaurus
// build are refused with a HoldError; the others are written as they are.
func TestDocusaurusBackslashes(t *testing.T) {
	p, _ := templates.LookupPreset("docusaurus")
	for title, refused := range map[string]bool{
		`Path C:\users fails`: true, `ends with \`: true, `hex \x41`: true, `octal \101`: true, `\u00e9`: true,
		`back\slash`: false, `C:\\users`: false, `two \\\\ and \n`: false, `no backslash`: false,
	} {
		for _, m := range []*templates.Meta{{Title: title}, {Title: "t", Tags: []string{title}}, {Title: "t", AnswerAuthor: title}} {
			fm, err := p.FrontMatter(m)
			var hold *templates.HoldError
			if got := errors.As(err, &hold); got != refused || (err != nil && !got) {
				t.Errorf("%+v: err = %v, want refused %v", m, err, refused)
				continue
			}
			if refused && (hold.Reason != "unsafe_front_matter" || !strings.Contains(hold.Detail, strconv.Quote(title))) {
				t.Errorf("%q: hold %+v does not name the value", title, hold)
			}
			if !refused && !strings.Contains(fm, title) && parseFM(t, fm)["title"] != title {
				t.Errorf("%q: not written as is:\n%s", title, fm)
			}
		}
		// Other presets write it as it is.
		h, _ := templates.LookupPreset("hugo")
		if _, err := h.FrontMatter(&templates.Meta{Title: title}); err != nil {
			t.Errorf("hugo %q: %v", title, err)
		}
	}
}
