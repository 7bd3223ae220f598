package templates

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

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
}

// frontMatter is the marshalled form: a fixed schema, never a map filled
// from the input, so no key can be injected.
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
	Draft          bool     `yaml:"draft,omitempty"`
}

// FrontMatter marshals m as YAML (without the --- delimiters) with the keys
// every preset carries.
func FrontMatter(m *Meta) (string, error) { return marshalYAML(baseFrontMatter(m)) }

func baseFrontMatter(m *Meta) any {
	tags := m.Tags
	if tags == nil {
		tags = []string{}
	}
	return &frontMatter{
		Title: m.Title, Source: m.Source, SourceID: m.SourceID, SourceURL: m.SourceURL,
		AnswerID: m.AnswerID, AnswerURL: m.AnswerURL,
		QuestionAuthor: m.QuestionAuthor, AnswerAuthor: m.AnswerAuthor,
		Tags: tags, Date: rfc3339(m.Date), Lastmod: rfc3339(m.Lastmod),
		License: m.License, Draft: m.Draft,
	}
}

// marshalYAML marshals a front matter struct; YAML aliases are never
// produced, and every risky scalar is quoted by the library.
func marshalYAML(v any) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("front matter: %w", err)
	}
	return b.String(), nil
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
// leaves the site while staying in the repository.
func MarkDraft(doc []byte) ([]byte, error) {
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
	set := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "draft" {
			m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
			set = true
		}
	}
	if !set {
		m.Content = append(m.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "draft"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	b.WriteString("---\n")
	b.Write(body)
	return b.Bytes(), nil
}
