package templates

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// sameAsEncoder fails unless appendYAML writes what yaml.v3 writes for n,
// or declines. It reports whether appendYAML took the node.
func sameAsEncoder(t testing.TB, n *yaml.Node) bool {
	t.Helper()
	got, ok := appendYAML(nil, n)
	if !ok {
		return false
	}
	want, err := encodeNode(n)
	if err != nil {
		t.Fatalf("appendYAML wrote\n%s\nwhere yaml.v3 fails: %v", got, err)
	}
	if string(got) != want {
		t.Fatalf("appendYAML writes\n%q\nyaml.v3 writes\n%q", got, want)
	}
	return true
}

// scalarsIn is a mapping with s as a plain, a double-quoted and a strNode
// value, in a list and in a nested mapping, so that each place a scalar
// can stand is compared.
func scalarsIn(s string) *yaml.Node {
	str := func(v string, style yaml.Style) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: style}
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		str("plain", 0), str(s, 0),
		str("quoted", 0), str(s, yaml.DoubleQuotedStyle),
		str("styled", 0), strNode(s),
		str("list", 0), seqNode([]string{s, "b"}),
		str("empty", 0), seqNode(nil),
		str("nested", 0), {Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{str("date", 0), strNode(s)}},
		str("flag", 0), boolNode(true),
	}}
}

// quotedIn is a mapping of s double-quoted only, as a value and in a list:
// appendYAML must take it for any valid UTF-8 that does not start with a
// BOM, so that every escape is compared (scalarsIn is declined as a whole
// whenever s cannot stand plain).
func quotedIn(s string) *yaml.Node {
	q := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{q, q}}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "quoted"}, q,
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "list"}, list,
	}}
}

func sameQuoted(t testing.TB, s string) {
	t.Helper()
	if !sameAsEncoder(t, quotedIn(s)) && utf8.ValidString(s) && !strings.HasPrefix(s, "\uFEFF") {
		t.Fatalf("appendYAML declined the double-quoted %q", s)
	}
}

func TestAppendYAML(t *testing.T) {
	taken := 0
	for _, s := range append(nodeCases, "Pourquoi « Strunk & White » ? — Why", "a:b", "a# b", "x:\ty", "\x7f",
		"é", "\U0001F600 smile", "a\U0001F600", "a\u0085b", "a\ufffeb", "a\ufeffb", "\ufeff", "a\xffb", "\xff",
		"a \"q\" \\ b", "\v\f\b\x1b\x01\u009f", "a\u2029b", "\ud7ff\ue000\ufffd", "k"+strings.Repeat("x", 200)) {
		if sameAsEncoder(t, scalarsIn(s)) {
			taken++
		}
		sameQuoted(t, s)
		if sameAsEncoder(t, (&frontMatter{Title: s, Tags: []string{s}}).node()) {
			taken++
		}
	}
	// The fast path must be the common path, not a test of declining.
	if taken < 60 {
		t.Fatalf("appendYAML took %d of the cases; it should take most", taken)
	}
	// Shapes it does not know go to yaml.v3.
	for _, n := range []*yaml.Node{
		{Kind: yaml.MappingNode, Tag: "!!map"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"},
		{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "k"}, {Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}}},
		{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "k", HeadComment: "# c"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "v"}}},
	} {
		if _, ok := appendYAML(nil, n); ok {
			t.Errorf("appendYAML took %#v", n)
		}
	}
}

func FuzzAppendYAML(f *testing.F) {
	for _, s := range nodeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameAsEncoder(t, scalarsIn(s))
		sameQuoted(t, s)
		sameAsEncoder(t, (&frontMatter{Title: s, AnswerAuthor: s, Tags: []string{s, s}}).node())
	})
}
