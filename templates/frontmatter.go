package templates

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Meta is what an article's front matter says, whatever the preset.
type Meta struct {
	Title          string
	Source         string
	SourceID       string
	SourceURL      string
	AnswerID       string
	AnswerURL      string
	QuestionAuthor string
	AnswerAuthor   string
	Tags           []string
	Date           time.Time
	Lastmod        time.Time
	License        string
	Draft          bool

	// Lang is the article's language (BCP 47, e.g. "fr") when the source
	// states it or it was detected reliably; empty leaves the key out.
	Lang string
	// Description is a one-line summary for search engines; empty leaves
	// the key out.
	Description string
	// AlsoAsked are the titles of duplicate questions: other customer
	// wordings, written as the `keywords` of the page.
	AlsoAsked []string
	// Aliases are the earlier paths of this article (merged articles),
	// relative to the content folder, e.g. "old-slug.md". Presets turn
	// them into redirects where the generator takes them from front matter.
	Aliases []string
	// URLBase is the site path of the content folder ("/faq/") for
	// generators whose redirects need site paths (Jekyll); empty derives
	// it from the preset's ContentDir.
	URLBase string

	// StructuredData turns on schema.org JSON-LD in the `jsonld` key:
	// JSONLDQAPage or JSONLDFAQPage; empty (the default) leaves it out.
	StructuredData string
	// Question and Answer are the Markdown bodies the JSON-LD describes,
	// redacted and before EscapeTemplates (the text the page shows). Only
	// read when StructuredData is set.
	Question, Answer string
}

// frontMatter is the marshalled form: a fixed schema, never a map filled
// from the input, so no key can be injected. DESIGN's keys come first, then
// the optional and per-generator ones, each left out when unset.
type frontMatter struct {
	Title          string   `yaml:"title"`
	Source         string   `yaml:"source"`
	SourceID       string   `yaml:"source_id"`
	SourceURL      string   `yaml:"source_url"`
	AnswerID       string   `yaml:"answer_id"`
	AnswerURL      string   `yaml:"answer_url"`
	QuestionAuthor string   `yaml:"question_author"`
	AnswerAuthor   string   `yaml:"answer_author"`
	Tags           []string `yaml:"tags"`
	Date           string   `yaml:"date"`
	Lastmod        string   `yaml:"lastmod"`
	License        string   `yaml:"license,omitempty"`
	Lang           string   `yaml:"lang,omitempty"`
	Description    string   `yaml:"description,omitempty"`
	Keywords       []string `yaml:"keywords,omitempty"`
	Aliases        []string `yaml:"aliases,omitempty"`       // Hugo (relative), others as data
	RedirectFrom   []string `yaml:"redirect_from,omitempty"` // jekyll-redirect-from
	LastUpdate     *struct {
		Date string `yaml:"date"`
	} `yaml:"last_update,omitempty"` // Docusaurus
	LastModifiedAt   string      `yaml:"last_modified_at,omitempty"`   // Jekyll
	RenderWithLiquid *bool       `yaml:"render_with_liquid,omitempty"` // Jekyll 4
	RenderMacros     *bool       `yaml:"render_macros,omitempty"`      // mkdocs-macros
	SidebarLabel     string      `yaml:"sidebar_label,omitempty"`      // Docusaurus
	Search           *searchMeta `yaml:"search,omitempty"`             // MkDocs Material
	Published        *bool       `yaml:"published,omitempty"`          // Jekyll
	Draft            bool        `yaml:"draft,omitempty"`
	JSONLD           string      `yaml:"jsonld,omitempty"`
	JSONLDURI        string      `yaml:"jsonld_uri,omitempty"` // Docusaurus: jsonld URI-encoded
}

type searchMeta struct {
	Exclude bool `yaml:"exclude"`
}

// FrontMatter marshals m as YAML (without the --- delimiters) with the keys
// every preset carries.
func FrontMatter(m *Meta) (string, error) {
	fm, err := baseFrontMatter(validUTF8(m))
	if err != nil {
		return "", err
	}
	return marshalYAML(fm)
}

func baseFrontMatter(m *Meta) (*frontMatter, error) {
	tags := m.Tags
	if tags == nil {
		tags = []string{}
	}
	fm := &frontMatter{
		Title: m.Title, Source: m.Source, SourceID: m.SourceID, SourceURL: m.SourceURL,
		AnswerID: m.AnswerID, AnswerURL: m.AnswerURL,
		QuestionAuthor: m.QuestionAuthor, AnswerAuthor: m.AnswerAuthor,
		Tags: tags, Date: rfc3339(m.Date), Lastmod: rfc3339(m.Lastmod),
		License: m.License, Lang: m.Lang, Description: m.Description,
		Keywords: keywords(m.AlsoAsked), Draft: m.Draft,
	}
	if m.StructuredData != "" {
		js, err := JSONLD(m)
		if err != nil {
			return nil, err
		}
		fm.JSONLD = js
	}
	return fm, nil
}

// validUTF8 returns m with invalid UTF-8 replaced in every string: the
// YAML encoder would write such a string as !!binary, which no generator
// reads as text.
func validUTF8(m *Meta) *Meta {
	c := *m
	fix := func(s *string) { *s = strings.ToValidUTF8(*s, "\uFFFD") }
	for _, s := range []*string{&c.Title, &c.Source, &c.SourceID, &c.SourceURL, &c.AnswerID, &c.AnswerURL,
		&c.QuestionAuthor, &c.AnswerAuthor, &c.License, &c.Lang, &c.Description, &c.URLBase,
		&c.Question, &c.Answer} {
		fix(s)
	}
	for _, list := range []*[]string{&c.Tags, &c.AlsoAsked, &c.Aliases} {
		if *list == nil {
			continue
		}
		l := append([]string(nil), (*list)...)
		for i := range l {
			fix(&l[i])
		}
		*list = l
	}
	return &c
}

// keywords are the also-asked titles, without blanks or repeats, in the
// order given (the source's order is deterministic).
func keywords(titles []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range titles {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// HoldError is what FrontMatter returns when the preset's generator cannot
// take an article as it is: the caller holds the article back, counting
// Reason among the skipped, instead of failing the run.
type HoldError struct {
	Reason string // a skip reason, e.g. "unsafe_front_matter"
	Detail string
}

func (e *HoldError) Error() string { return e.Reason + ": " + e.Detail }

// marshalYAML marshals a front matter struct; YAML aliases are never
// produced, and every risky scalar is quoted.
func marshalYAML(v any) (string, error) { return marshalChecked(v, nil) }

// marshalChecked is marshalYAML that first hands every string value, with
// its top-level key, to check.
func marshalChecked(v any, check func(key, value string) error) (string, error) {
	var n yaml.Node
	if fm, ok := v.(*frontMatter); ok {
		n = *fm.node() // styles already as quoteRisky leaves them
	} else if err := n.Encode(v); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	if check != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkStrings(n.Content[i].Value, n.Content[i+1], check); err != nil {
				return "", err
			}
		}
	}
	quoteRisky(&n)
	if b, ok := appendYAML(make([]byte, 0, 1024), &n); ok {
		return string(b), nil
	}
	return encodeNode(&n)
}

func checkStrings(key string, n *yaml.Node, check func(key, value string) error) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		return check(key, n.Value)
	}
	for _, c := range n.Content {
		if err := checkStrings(key, c, check); err != nil {
			return err
		}
	}
	return nil
}

func encodeNode(n *yaml.Node) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	return b.String(), nil
}

// quoteRisky double-quotes the plain strings that a YAML 1.1 reader would
// take for something else. yaml.v3 quotes what YAML 1.2 and the common
// 1.1 booleans would misread, but Jekyll (Ruby Psych) and MkDocs (PyYAML)
// read more: `:hover` is a Symbol that Jekyll refuses, `1,000` an integer,
// `nO` false, `nULL` nil, and `=` makes PyYAML fail. A string that starts
// with a letter and is not one of those words is a string everywhere.
// Multi-line strings are double-quoted too, so that every value stays on
// its key's line.
func quoteRisky(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" &&
		(n.Style == 0 && riskyPlain(n.Value) || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteRisky(c)
	}
}

func riskyPlain(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) {
		return true
	}
	switch strings.ToLower(s) {
	case "yes", "no", "true", "false", "on", "off", "null", "y", "n":
		return true
	}
	return false
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func hashString(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// MarkDraft sets `draft: true` in an article's YAML front matter, keeping
// every other key and the body as they are. It is how a retired article
// leaves a Hugo site while staying in the repository.
func MarkDraft(doc []byte) ([]byte, error) {
	return setKeys(doc, keyValue{"draft", boolNode(true)})
}

// keyValue is a front matter key and the node to set it to.
type keyValue struct {
	key   string
	value *yaml.Node
}

func boolNode(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}
}

// setKeys sets top-level keys in a document's front matter: an existing key
// gets the new value in place, a missing one is appended. Everything else
// keeps its bytes, because the YAML is edited as nodes (styles kept) and
// our own front matter is what its encoder writes.
func setKeys(doc []byte, kvs ...keyValue) ([]byte, error) {
	if !bytes.HasPrefix(doc, []byte("---\n")) {
		return nil, fmt.Errorf("front matter: the file does not start with ---")
	}
	end := bytes.Index(doc[4:], []byte("\n---\n"))
	if end < 0 {
		return nil, fmt.Errorf("front matter: no closing ---")
	}
	fm, body := doc[4:4+end+1], doc[4+end+5:]
	var root yaml.Node
	if err := yaml.Unmarshal(fm, &root); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("front matter: not a mapping")
	}
	m := root.Content[0]
	for _, kv := range kvs {
		set := false
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == kv.key {
				m.Content[i+1] = kv.value
				set = true
			}
		}
		if !set {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv.key}, kv.value)
		}
	}
	out, err := encodeNode(m)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	b.WriteString(out)
	b.WriteString("---\n")
	b.Write(body)
	return b.Bytes(), nil
}
