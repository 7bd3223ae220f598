package templates

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// node builds the YAML node of an article's front matter directly, as
// marshalChecked's Node.Encode and quoteRisky would leave it: the same
// keys, order, omitempty and scalar styles. Node.Encode reflects over the
// struct, writes YAML and parses it back; building the node here takes
// that (about 45 µs an article, two thirds of the front matter's cost)
// away. TestFrontMatterNode and FuzzFrontMatterNode hold it byte for byte
// to the reflective path, which index pages still use.
func (fm *frontMatter) node() *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 32)}
	key := func(k string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, v)
	}
	str := func(k, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		key(k, strNode(v))
	}
	list := func(k string, v []string, omitEmpty bool) {
		if omitEmpty && len(v) == 0 {
			return
		}
		key(k, seqNode(v))
	}
	flag := func(k string, v *bool) {
		if v != nil {
			key(k, boolNode(*v))
		}
	}
	str("title", fm.Title, false)
	str("source", fm.Source, false)
	str("source_id", fm.SourceID, false)
	str("source_url", fm.SourceURL, false)
	str("answer_id", fm.AnswerID, false)
	str("answer_url", fm.AnswerURL, false)
	str("question_author", fm.QuestionAuthor, false)
	str("answer_author", fm.AnswerAuthor, false)
	list("tags", fm.Tags, false)
	str("date", fm.Date, false)
	str("lastmod", fm.Lastmod, false)
	str("license", fm.License, true)
	str("lang", fm.Lang, true)
	str("description", fm.Description, true)
	list("keywords", fm.Keywords, true)
	list("aliases", fm.Aliases, true)
	list("redirect_from", fm.RedirectFrom, true)
	if fm.LastUpdate != nil {
		key("last_update", &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "date"}, strNode(fm.LastUpdate.Date)}})
	}
	str("last_modified_at", fm.LastModifiedAt, true)
	flag("render_with_liquid", fm.RenderWithLiquid)
	flag("render_macros", fm.RenderMacros)
	str("sidebar_label", fm.SidebarLabel, true)
	if fm.Search != nil {
		key("search", &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "exclude"}, boolNode(fm.Search.Exclude)}})
	}
	flag("published", fm.Published)
	if fm.Draft {
		key("draft", boolNode(true))
	}
	str("jsonld", fm.JSONLD, true)
	str("jsonld_uri", fm.JSONLDURI, true)
	return m
}

func seqNode(v []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, len(v))}
	if len(v) == 0 {
		n.Style = yaml.FlowStyle // `[]`, as the encoder writes an empty list
	}
	for i, s := range v {
		n.Content[i] = strNode(s)
	}
	return n
}

// strNode is a string scalar in the style marshalChecked gives it. A plain
// string that starts with a letter and is no special word keeps the
// encoder's choice (plain, or quoted where plain cannot hold it); a
// multi-line one is double-quoted, as quoteRisky makes of yaml.v3's
// literal block. A risky one (quoteRisky) is double-quoted where yaml.v3
// would write it plain, and keeps yaml.v3's own quoting otherwise: ids and
// dates are quoted for sure; anything else asks yaml.v3, which is rare.
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.DoubleQuotedStyle
	case !riskyPlain(s):
	case allDigits(s) || isTimestamp(s):
		n.Style = yaml.DoubleQuotedStyle
	default:
		var enc yaml.Node
		if err := enc.Encode(s); err != nil || enc.Style == 0 {
			n.Style = yaml.DoubleQuotedStyle
		} else {
			n.Style = enc.Style
		}
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isTimestamp matches what rfc3339 writes, 2006-01-02T15:04:05Z, which
// yaml.v3 resolves to a timestamp and so quotes.
func isTimestamp(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:ddZ"
	if len(s) != len(shape) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if shape[i] == 'd' {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		} else if s[i] != shape[i] {
			return false
		}
	}
	return true
}
