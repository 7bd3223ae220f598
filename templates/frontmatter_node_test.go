package templates

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// reflective is the path node() replaces: yaml.v3 reflects over the struct,
// then quoteRisky sets the styles.
func reflective(fm *frontMatter) (string, error) {
	var n yaml.Node
	if err := n.Encode(fm); err != nil {
		return "", err
	}
	quoteRisky(&n)
	return encodeNode(&n)
}

// sameAsReflective fails unless node() writes what the reflective path
// writes, wherever that path is faithful. yaml.v3 is not always: it cannot
// read back its own literal block for a list item that starts with a line
// break ("\nlead"), and reads " #\n" in a list as "". There node() must
// write YAML that reads back as the values given.
func sameAsReflective(t testing.TB, fm *frontMatter) {
	t.Helper()
	got, err := marshalChecked(fm, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := reflective(fm); err == nil && readsBack(want, fm) {
		if got != want {
			t.Fatalf("node() writes\n%s\nyaml.v3 writes\n%s", got, want)
		}
		return
	}
	if !readsBack(got, fm) {
		t.Fatalf("node() writes YAML that does not read back as the values given:\n%s", got)
	}
}

func readsBack(doc string, fm *frontMatter) bool {
	var back frontMatter
	return yaml.Unmarshal([]byte(doc), &back) == nil && reflect.DeepEqual(&back, fm)
}

// fullFrontMatter sets every field, so that a key node() forgot, or wrote
// in another order, shows up as a difference.
func fullFrontMatter(s []string, on bool) *frontMatter {
	at := func(i int) string { return strings.ToValidUTF8(s[i%len(s)], "\uFFFD") }
	return &frontMatter{
		Title: at(0), Source: at(1), SourceID: at(2), SourceURL: at(3), AnswerID: at(4), AnswerURL: at(5),
		QuestionAuthor: at(6), AnswerAuthor: at(7), Tags: []string{at(8), at(0)}, Date: at(1), Lastmod: at(2),
		License: at(3), Lang: at(4), Description: at(5), Keywords: []string{at(6)}, Aliases: []string{at(7), at(8)},
		RedirectFrom: []string{at(0)}, LastUpdate: &struct {
			Date string `yaml:"date"`
		}{at(1)}, LastModifiedAt: at(2), RenderWithLiquid: boolPtr(on), RenderMacros: boolPtr(!on),
		SidebarLabel: at(3), Search: &searchMeta{Exclude: on}, Published: boolPtr(on), Draft: on,
		JSONLD: at(4), JSONLDURI: at(5),
	}
}

var nodeCases = []string{
	"How do I reset my password?", "", " ", "12345", "0123", "089", "1e3", "2019-01-02T03:04:05Z", "2019-01-02",
	"1:20", "+1:20", "-1", "yes", "No", "ON", "y", "N", "off", "true", "False", "null", "NULL", "~", ".inf", ".nan",
	"[SOLVED] printer", "- dash", "-dash", "? q", ":hover", "a: b", "a #b", "a#b", "trailing ", " leading", "#hash",
	"&anchor", "*alias", "!tag", "|pipe", ">fold", "'quoted'", "\"dq\"", "%pct", "@at", "`tick`", "---", "...",
	"--- doc", "multi\nline", "multi\nline\n", "\nlead", "tab\there", "cr\rhere", "nul\x00", "bell\x07", "é accent",
	"日本語", "1,000", "=", "{a}", "a,b", "x: ", "\u2028sep", "\ufeffbom", "   ", "a\u00a0b", "<!-- c -->", "C:\\users",
	"https://example.com/q/1?a=b#c", "Ünïcode first", "0x1F", "0o17", "+12", "-.5", "12:30:00", "1_000",
}

func TestFrontMatterNode(t *testing.T) {
	for _, s := range nodeCases {
		for _, on := range []bool{false, true} {
			t.Run("", func(t *testing.T) { sameAsReflective(t, fullFrontMatter([]string{s}, on)) })
		}
	}
	// omitempty: an empty article keeps DESIGN's keys only.
	sameAsReflective(t, &frontMatter{Tags: []string{}})
}

func FuzzFrontMatterNode(f *testing.F) {
	for i, s := range nodeCases {
		f.Add(s, nodeCases[(i+7)%len(nodeCases)], nodeCases[(i+13)%len(nodeCases)], i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, a, b, c string, on bool) {
		sameAsReflective(t, fullFrontMatter([]string{a, b, c}, on))
	})
}
