package convert

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeTemplates(t *testing.T) {
	tests := []struct{ preset, in, want string }{
		{"hugo", "See {{< youtube x >}} here.\n", "See {{</* youtube x */>}} here.\n"},
		{"hugo", "{{% param \"x\" %}}\n", "{{%/* param \"x\" */%}}\n"},
		{"hugo", "```\n{{< highlight go >}}\n```\n", "```\n{{</* highlight go */>}}\n```\n"},
		{"hugo", "written {{</* x */>}} already\n", "written {{</*/* x */*/>}} already\n"},
		{"hugo", "an opener {{< alone\n", "an opener {\\{< alone\n"},
		{"hugo", "Go templates {{ .Title }} and ${{ secrets.X }} do not run\n", "Go templates {{ .Title }} and ${{ secrets.X }} do not run\n"},
		{"jekyll", "Hi {{ site.title }}!\n", "Hi {% raw %}{{ site.title }}{% endraw %}!\n"},
		{"jekyll", "{% include x.html %}\n", "{% raw %}{% include x.html %}{% endraw %}\n"},
		{"jekyll", "    ${{ secrets.TOKEN }}\n", "    ${% raw %}{{ secrets.TOKEN }}{% endraw %}\n"},
		{"jekyll", "{% endraw %}", "{% raw %}{% endraw %}{{ \"{%\" }}{% raw %} endraw %}{% endraw %}"},
		{"jekyll", "a {{ b", "a {% raw %}{{ b{% endraw %}"},
		{"jekyll", "{{{ x }}}", "{% raw %}{{{ x }}{% endraw %}}"},
		{"jekyll", "{# not liquid #}", "{# not liquid #}"},
		{"mkdocs-macros", "{# a jinja comment #}", "{% raw %}{# a jinja comment #}{% endraw %}"},
		{"docusaurus", "a {b} < c\n", "a \\{b\\} \\< c\n"},
		{"docusaurus", "## Title {#id}\n", "## Title \\{#id\\}\n"},
		{"docusaurus", "see <https://x.example/a>\n", "see [https://x.example/a](https://x.example/a)\n"},
		{"docusaurus", "mail <a@b.example>\n", "mail [a@b.example](mailto:a@b.example)\n"},
		{"docusaurus", "    code {x}\n", "```\ncode {x}\n```\n"},
		{"docusaurus", "import x from 'y'\n", "&#105;mport x from 'y'\n"},
		{"docusaurus", "`{x}` and \\{y\\}\n", "`{x}` and \\{y\\}\n"},
		{"mkdocs", "{{ x }} {% y %}\n", "{{ x }} {% y %}\n"},
		{"plain", "{{< x >}}\n", "{{< x >}}\n"},
		{"unknown", "{{< x >}}\n", "{{< x >}}\n"},
	}
	for _, tt := range tests {
		got := EscapeTemplates(tt.in, tt.preset)
		if got != tt.want {
			t.Errorf("EscapeTemplates(%q, %s) = %q, want %q", tt.in, tt.preset, got, tt.want)
		}
		if TemplateSyntax(got, tt.preset) {
			t.Errorf("%s: syntax left in %q", tt.preset, got)
		}
	}
	// What cannot be escaped is reported: an unclosed shortcode in code.
	if out := EscapeTemplates("```\n{{< open\n```\n", "hugo"); !TemplateSyntax(out, "hugo") {
		t.Errorf("unclosed shortcode in code not reported: %q", out)
	}
	for _, p := range []string{"hugo", "jekyll", "mkdocs-macros", "docusaurus"} {
		if !TemplateSyntax(map[string]string{"hugo": "{{< x >}}", "jekyll": "{{ x }}", "mkdocs-macros": "{# x #}", "docusaurus": "a {x}"}[p], p) {
			t.Errorf("%s: raw syntax not reported", p)
		}
	}
}

// hugoLex does what Hugo's page lexer (parser/pageparser) does with
// shortcode delimiters in content: a commented shortcode `{{</* X */>}}`
// is emitted as `{{< X >}}`; any other `{{<` or `{{%` is a shortcode
// call, an error here. Checked against Hugo v0.147.0's lexer by hand (see
// the package report); kept small so that it can be read.
func hugoLex(s string) (string, error) {
	var b strings.Builder
	for i := 0; ; {
		p, closer := hugoOpener(s, i)
		if p < 0 {
			b.WriteString(s[i:])
			return b.String(), nil
		}
		b.WriteString(s[i:p])
		if !strings.HasPrefix(s[p+3:], "/*") {
			return "", errors.New("shortcode call at " + itoa(p))
		}
		q := strings.Index(s[p+3:], "*/"+closer)
		if q <= 1 {
			return "", errors.New("comment must be closed")
		}
		b.WriteString(s[p : p+3])
		b.WriteString(s[p+5 : p+3+q])
		b.WriteString(closer)
		i = p + 3 + q + 5
	}
}

var (
	liquidToken = regexp.MustCompile(`(?s)\{%.*?%\}|\{\{.*?\}\}?|\{\{|\{%`)
	liquidFull  = regexp.MustCompile(`(?s)^(.*)\{%-?\s*(\w+)\s*(.*?)-?%\}$`)
	liquidRaw   = regexp.MustCompile(`(?s)^\{%-?\s*raw\s*-?%\}$`)
)

// liquidRender does what Liquid 4 (Jekyll) does with our output: it
// tokenizes like Liquid's TemplateParser, keeps raw blocks' bodies as they
// are (a raw body ends at the first token whose last tag is endraw), prints
// the string literal of {{ "{%" }}, and refuses any other tag or variable,
// which would run.
func liquidRender(s string) (string, error) {
	var b strings.Builder
	toks := liquidToken.FindAllStringIndex(s, -1)
	last := 0
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		b.WriteString(s[last:t[0]])
		tok := s[t[0]:t[1]]
		last = t[1]
		switch {
		case tok == `{{ "{%" }}`:
			b.WriteString("{%")
		case liquidRaw.MatchString(tok):
			closed := false
			for k++; k < len(toks); k++ {
				t := toks[k]
				b.WriteString(s[last:t[0]])
				tok := s[t[0]:t[1]]
				last = t[1]
				if m := liquidFull.FindStringSubmatch(tok); m != nil && m[2] == "endraw" {
					b.WriteString(m[1])
					closed = true
					break
				}
				b.WriteString(tok)
			}
			if !closed {
				return "", errors.New("raw not closed")
			}
		default:
			return "", errors.New("would run " + tok)
		}
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// renderText is what a reader sees of a Markdown document (HTML, safe
// renderer), for comparing escaped and original text.
func renderText(md string) string {
	var buf bytes.Buffer
	_ = Parser().Convert([]byte(md), &buf)
	return buf.String()
}

func checkEscaped(t *testing.T, in, preset string) {
	t.Helper()
	out := EscapeTemplates(in, preset)
	if !utf8.ValidString(out) && utf8.ValidString(in) {
		t.Fatalf("%s: invalid UTF-8 from %q", preset, in)
	}
	switch preset {
	case "hugo":
		if TemplateSyntax(out, preset) {
			return // an unclosed shortcode in code: reported, not escapable
		}
		got, err := hugoLex(out)
		if err != nil {
			t.Fatalf("hugo: %v in %q (from %q)", err, out, in)
		}
		if got != in && renderText(got) != renderText(in) {
			t.Fatalf("hugo: the site would show %q, the author wrote %q", got, in)
		}
	case "jekyll":
		got, err := liquidRender(out)
		if err != nil {
			t.Fatalf("jekyll: %v in %q (from %q)", err, out, in)
		}
		if got != in {
			t.Fatalf("jekyll: Liquid gives %q, the author wrote %q", got, in)
		}
	case "docusaurus":
		if TemplateSyntax(out, preset) {
			t.Fatalf("docusaurus: syntax left in %q (from %q)", out, in)
		}
	}
}

func TestEscapeTemplatesRoundTrip(t *testing.T) {
	inputs := []string{
		"Use {{< youtube id >}} and {{% param \"x\" %}} here\n\n```\n{{< code >}}\n```\n",
		"{{< a {{< b >}} c >}} {{%/**/%}} {{< x */>}} y",
		"{{<{{<>}}>}}", "{{% a *%}} {{< b **/>}}", "only {{< unclosed in text\n",
		"{% raw %}{{ y }}{% endraw %} and {%- endraw -%} {{ a } b }} {{ unterminated\n",
		"{{{ x }}} ${{ secrets.TOKEN }} {% if x %}y{% endif %} {%endraw%} {%+ endraw %}",
		"{", "{{", "{%", "}}", "a{{b}}c{%d%}e", "{{ \"{%\" }}",
	}
	for _, in := range inputs {
		for _, p := range []string{"hugo", "jekyll", "docusaurus"} {
			checkEscaped(t, in, p)
		}
	}
}

func FuzzEscapeTemplates(f *testing.F) {
	for _, s := range []string{"{{< youtube x >}}", "{{% x %}}", "{{ site.x }}", "{% include x %}", "${{ secrets.X }}",
		"{% raw %}{% endraw %}", "```\n{{< x\n```\n", "a {b} <c>", "    {x}\n", "import x\n", "{{{ {% }}} %}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range Presets {
			checkEscaped(t, in, p)
		}
	})
}
