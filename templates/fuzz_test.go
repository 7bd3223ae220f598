package templates_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/templates"
)

// FuzzFrontMatter marshals random strings in every preset and checks that
// the front matter parses back to the same values, keeps the title on one
// line, quotes what YAML 1.1 readers would misread, and that MarkDraft
// and the JSON-LD stay valid.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range riskyTitles {
		f.Add(s, s, "Ana", "en", "Body *md*")
	}
	f.Add("multi\nline\r\ntitle", "tag\x00nul", "\ufeffbom", "fr-CA", "```\n{{ x }}\n```")
	f.Add("caf\xe9", "\xff", "", "", "")
	f.Add("--- \n---\n", "...", "- x", ": y", "</script>")
	f.Fuzz(func(t *testing.T, title, tag, author, lang, body string) {
		valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		for _, name := range templates.PresetNames() {
			p, _ := templates.LookupPreset(name)
			m := &templates.Meta{Title: title, Tags: []string{tag, title}, QuestionAuthor: author, AnswerAuthor: author,
				Lang: lang, AlsoAsked: []string{title, tag}, Aliases: []string{tag}, Question: body, Answer: body,
				StructuredData: templates.JSONLDQAPage}
			fm, err := p.FrontMatter(m)
			var hold *templates.HoldError
			if errors.As(err, &hold) && name == "docusaurus" && strings.Contains(title+tag+author+lang, "\\") {
				continue // refused, not written: checked in TestDocusaurusBackslashes
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}

			if strings.Contains(fm, "\n---") || strings.Contains(fm, "\n...") || strings.HasPrefix(fm, "---") {
				t.Fatalf("%s: front matter holds a document marker:\n%s", name, fm)
			}
			got := parseFM(t, fm)
			if got["title"] != valid(title) || got["question_author"] != valid(author) {
				t.Fatalf("%s: title %q author %q parsed back as %q %q", name, title, author, got["title"], got["question_author"])
			}
			if !reflect.DeepEqual(got["tags"], []any{valid(tag), valid(title)}) {
				t.Fatalf("%s: tags %#v", name, got["tags"])
			}
			if !titleOnOneLine(fm, valid(title)) {
				t.Fatalf("%s: title not on one line:\n%s", name, fm)
			}
			assertQuotedUnlessLetter(t, fm)
			js := jsonldOf(t, name, got)
			if !json.Valid([]byte(js)) || strings.ContainsAny(js, "<>") {
				t.Fatalf("%s: jsonld %q", name, js)
			}
			doc := []byte("---\n" + fm + "---\nbody\n")
			out, err := p.MarkDraft(doc)
			if err != nil {
				t.Fatalf("%s: MarkDraft: %v", name, err)
			}
			if !bytes.HasPrefix(out, []byte("---\n"+fm)) || !bytes.HasSuffix(out, []byte("---\nbody\n")) {
				t.Fatalf("%s: MarkDraft changed more than the marker:\n%s", name, out)
			}
		}
	})
}
