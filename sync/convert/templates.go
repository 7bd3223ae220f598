package convert

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Presets are the site generators EscapeTemplates knows.
//
//   - "hugo": shortcodes `{{< x >}}` and `{{% x %}}` run everywhere in a
//     content file, code blocks included, and an unknown one fails the
//     whole build. Each becomes `{{</* x */>}}` (Hugo's documented way to
//     show a shortcode), which Hugo renders as the original text. An
//     opener without a closer is escaped as `{\{<` in prose; in code it
//     cannot be escaped (TemplateSyntax reports it). Go template actions
//     `{{ x }}` do not run in Hugo content.
//   - "jekyll": Liquid `{{ x }}` and `{% x %}` run before Markdown, in code
//     too. Each occurrence is wrapped in `{% raw %}...{% endraw %}`, which
//     Liquid removes; an `{% endraw %}` in the text itself is written
//     `{{ "{%" }} endraw %}`. (A page can instead set
//     `render_with_liquid: false`, Jekyll 4+, and use "plain".)
//   - "mkdocs-macros": MkDocs with the macros plugin runs Jinja2 (`{{`,
//     `{%`, `{#`) over the page: the same raw wrapping as Jekyll.
//   - "docusaurus": MDX reads `{` as a JavaScript expression and `<` as JSX
//     in text, has no indented code blocks and no `<url>` autolinks, and
//     reads a line starting with `import `/`export ` as a module statement.
//     Those are escaped (`\{`, `\<`), made fenced, turned into links, and
//     the first letter written as a character reference.
//   - "mkdocs" and "plain": nothing runs; the Markdown is returned as is.
//     (GitHub Actions `${{ }}` is only evaluated in workflow files, never in
//     content; in Liquid and MDX it is covered by the rules above.)
var Presets = []string{"hugo", "jekyll", "mkdocs-macros", "docusaurus", "mkdocs", "plain"}

// EscapeTemplates neutralises, for one site generator, the template syntax
// that generator would execute in an article body, so that the page shows
// the text as the author wrote it. The result is for that generator only;
// an unknown preset changes nothing (check the name against Presets).
// Apply it once, to the final body: escaping is not idempotent, because
// the escaped form is itself template syntax that renders as the text.
func EscapeTemplates(md, preset string) string {
	switch preset {
	case "hugo":
		return escapeHugo(md)
	case "jekyll":
		return escapeRaw(md, false)
	case "mkdocs-macros":
		return escapeRaw(md, true)
	case "docusaurus":
		return escapeMDX(md)
	}
	return md
}

// TemplateSyntax reports whether md still holds syntax that preset's
// generator would execute: for Hugo, a shortcode not in the commented
// form (after EscapeTemplates, only an unclosed one inside code); for
// Jekyll and MkDocs macros, a tag or expression outside raw blocks; for
// Docusaurus, an unescaped `{` or `<` in text, an indented code block, an
// autolink or a module statement. Callers hold an article for review when
// it is true after EscapeTemplates.
func TemplateSyntax(md, preset string) bool {
	switch preset {
	case "hugo":
		return hugoSyntax(md)
	case "jekyll":
		return rawSyntax(md, false)
	case "mkdocs-macros":
		return rawSyntax(md, true)
	case "docusaurus":
		f := mdxEdits(md)
		return len(f) > 0
	}
	return false
}

// --- Hugo ---

// hugoOpener finds the next shortcode opener at or after i.
func hugoOpener(md string, i int) (pos int, closer string) {
	for {
		j := strings.Index(md[i:], "{{")
		if j < 0 {
			return -1, ""
		}
		p := i + j
		if p+2 < len(md) {
			switch md[p+2] {
			case '<':
				return p, ">}}"
			case '%':
				return p, "%}}"
			}
		}
		i = p + 1
	}
}

func escapeHugo(md string) string {
	if !strings.Contains(md, "{{<") && !strings.Contains(md, "{{%") {
		return md
	}
	code := codeRanges([]byte(md))
	var b strings.Builder
	b.Grow(len(md) + 32)
	i := 0
	for {
		p, closer := hugoOpener(md, i)
		if p < 0 {
			b.WriteString(md[i:])
			return b.String()
		}
		b.WriteString(md[i:p])
		if q := strings.Index(md[p+3:], closer); q >= 0 {
			// `{{<` X `>}}` becomes `{{</*` X `*/>}}`: Hugo emits the
			// delimiters and X, and drops the comment markers. X holds no
			// closer, so the first `*/>}}` is ours.
			q += p + 3
			b.WriteString(md[p : p+3])
			b.WriteString("/*")
			b.WriteString(md[p+3 : q])
			b.WriteString("*/")
			b.WriteString(closer)
			i = q + 3
			continue
		}
		if inRanges(code, p) {
			b.WriteString(md[p : p+3]) // cannot be escaped in code: reported by TemplateSyntax
		} else {
			b.WriteString(`{\{`)
			b.WriteByte(md[p+2])
		}
		i = p + 3
	}
}

// hugoSyntax reports a shortcode that Hugo would run.
func hugoSyntax(md string) bool {
	for i := 0; ; {
		p, closer := hugoOpener(md, i)
		if p < 0 {
			return false
		}
		if !strings.HasPrefix(md[p+3:], "/*") {
			return true
		}
		q := strings.Index(md[p+3:], "*/"+closer)
		if q <= 1 {
			return true
		}
		i = p + 3 + q + 5
	}
}

// --- Liquid (Jekyll) and Jinja2 (MkDocs macros) ---

var endrawTag = regexp.MustCompile(`^\{%[-+]?\s*endraw\b`)

// templateSpans returns the byte ranges that must be kept from the
// template engine: each tag or expression, from the run of `{` that opens
// it to its closer (or to the end when it has none), merged when they
// touch. A Liquid variable ends at its first `}` (and a second one when it
// follows), as Liquid's tokenizer reads it.
func templateSpans(md string, jinja bool) [][2]int {
	var spans [][2]int
	for i := 0; i < len(md); {
		j := strings.IndexByte(md[i:], '{')
		if j < 0 {
			break
		}
		p := i + j
		if p+1 >= len(md) {
			break
		}
		end := -1
		switch md[p+1] {
		case '%':
			end = closeAt(md, p+2, "%}")
		case '{':
			if k := strings.IndexByte(md[p+2:], '}'); k >= 0 {
				end = p + 2 + k + 1
				if end < len(md) && md[end] == '}' {
					end++
				}
			} else {
				end = len(md)
			}
		case '#':
			if jinja {
				end = closeAt(md, p+2, "#}")
			}
		}
		if end < 0 {
			i = p + 1
			continue
		}
		start := p
		for start > i && md[start-1] == '{' {
			start--
		}
		if n := len(spans); n > 0 && start <= spans[n-1][1] {
			spans[n-1][1] = max(spans[n-1][1], end)
		} else {
			spans = append(spans, [2]int{start, end})
		}
		i = end
	}
	return spans
}

func closeAt(md string, from int, closer string) int {
	if k := strings.Index(md[from:], closer); k >= 0 {
		return from + k + len(closer)
	}
	return len(md)
}

// escapeRaw wraps every template span in a raw block. An `{% endraw %}`
// inside a span would end the block early: its `{%` is written as the
// expression {{ "{%" }} between two raw blocks.
func escapeRaw(md string, jinja bool) string {
	spans := templateSpans(md, jinja)
	if len(spans) == 0 {
		return md
	}
	var b strings.Builder
	b.Grow(len(md) + 32*len(spans))
	last := 0
	for _, s := range spans {
		b.WriteString(md[last:s[0]])
		b.WriteString("{% raw %}")
		seg := md[s[0]:s[1]]
		for {
			k := -1
			for x := strings.Index(seg, "{%"); x >= 0; {
				if endrawTag.MatchString(seg[x:]) {
					k = x
					break
				}
				y := strings.Index(seg[x+2:], "{%")
				if y < 0 {
					break
				}
				x += 2 + y
			}
			if k < 0 {
				break
			}
			b.WriteString(seg[:k])
			b.WriteString(`{% endraw %}{{ "{%" }}{% raw %}`)
			seg = seg[k+2:]
		}
		b.WriteString(seg)
		b.WriteString("{% endraw %}")
		last = s[1]
	}
	b.WriteString(md[last:])
	return b.String()
}

var (
	rawOpen    = regexp.MustCompile(`^\{%[-+]?\s*raw\s*[-+]?%\}`)
	rawClose   = regexp.MustCompile(`\{%[-+]?\s*endraw\s*[-+]?%\}`)
	literalTag = `{{ "{%" }}`
)

// rawSyntax reports a tag or expression outside raw blocks, other than the
// literal {{ "{%" }} that escapeRaw writes.
func rawSyntax(md string, jinja bool) bool {
	for i := 0; i < len(md); {
		j := strings.IndexByte(md[i:], '{')
		if j < 0 || i+j+1 >= len(md) {
			return false
		}
		p := i + j
		switch {
		case rawOpen.MatchString(md[p:]):
			m := rawOpen.FindStringIndex(md[p:])
			c := rawClose.FindStringIndex(md[p+m[1]:])
			if c == nil {
				return true
			}
			i = p + m[1] + c[1]
			continue
		case strings.HasPrefix(md[p:], literalTag):
			i = p + len(literalTag)
			continue
		case md[p+1] == '{' || md[p+1] == '%' || (jinja && md[p+1] == '#'):
			return true
		}
		i = p + 1
	}
	return false
}

// --- MDX (Docusaurus) ---

func escapeMDX(md string) string {
	src := []byte(md)
	edits := mdxEdits(md)
	if out := apply(src, edits); out != nil {
		return string(out)
	}
	return md
}

// mdxEdits lists what MDX would read as code in a Markdown document.
func mdxEdits(md string) []edit {
	src := []byte(md)
	if !bytes.ContainsAny(src, "{}<") && !bytes.Contains(src, []byte("    ")) && !bytes.Contains(src, []byte("\t")) &&
		!bytes.Contains(src, []byte("import ")) && !bytes.Contains(src, []byte("export ")) {
		return nil
	}
	doc := Parser().Parser().Parse(text.NewReader(src))
	var edits []edit
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			seg := n.Segment
			for i := seg.Start; i < seg.Stop; i++ {
				switch c := src[i]; c {
				case '\\':
					if i+1 < seg.Stop && isASCIIPunct(src[i+1]) {
						i++
					}
				case '{', '}', '<':
					edits = append(edits, edit{i, i, `\`})
				}
			}
		case *ast.String:
			// goldmark's typographer is off; nothing to do
		case *ast.CodeSpan, *ast.FencedCodeBlock, *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			if e, ok := fenceCodeBlock(src, n); ok {
				edits = append(edits, e)
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			start := n.Pos()
			label := n.Label(src)
			if start >= 0 && start < len(src) && src[start] == '<' && bytes.HasPrefix(src[start+1:], label) {
				url := string(n.URL(src))
				if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(url, "mailto:") {
					url = "mailto:" + url
				}
				edits = append(edits, edit{start, start + 1 + len(label) + 1, "[" + labelEscaper.Replace(string(label)) + "](" + mdDest(url) + ")"})
			}
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph:
			if _, top := n.Parent().(*ast.Document); top {
				for i := range n.Lines().Len() {
					s := n.Lines().At(i)
					line := src[s.Start:s.Stop]
					if bytes.HasPrefix(line, []byte("import ")) || bytes.HasPrefix(line, []byte("export ")) {
						ref := "&#105;"
						if line[0] == 'e' {
							ref = "&#101;"
						}
						edits = append(edits, edit{s.Start, s.Start + 1, ref})
					}
				}
			}
		}
		return ast.WalkContinue, nil
	})
	// Text edits inside a replaced autolink or code block are dropped by
	// apply (they overlap); sort to make that deterministic.
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	return edits
}

// labelEscaper escapes, in an autolink's address turned into link text,
// what would be Markdown or MDX there: "<}@x.example>" is a valid e-mail
// autolink, and "[}@x.example]" would open JSX.
var labelEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"{", `\{`, "}", `\}`, "<", `\<`, ">", `\>`, "&", `\&`, "~", `\~`)

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

// fenceCodeBlock rewrites an indented code block as a fenced one, its
// content unchanged. Blocks inside containers are left alone: their fence
// lines would need the container's prefix.
func fenceCodeBlock(src []byte, n *ast.CodeBlock) (edit, bool) {
	if _, top := n.Parent().(*ast.Document); !top || n.Lines().Len() == 0 {
		return edit{}, false
	}
	lines := n.Lines()
	var code []byte
	for i := range lines.Len() {
		seg := lines.At(i)
		code = append(code, seg.Value(src)...)
	}
	if len(code) > 0 && code[len(code)-1] != '\n' {
		code = append(code, '\n')
	}
	first, last := lines.At(0), lines.At(lines.Len()-1)
	start := bytes.LastIndexByte(src[:first.Start], '\n') + 1
	fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
	return edit{start, last.Stop, fence + "\n" + string(code) + fence + "\n"}, true
}

// codeRanges returns the byte ranges of code (blocks and spans) in a
// Markdown document, sorted.
func codeRanges(src []byte) [][2]int {
	doc := Parser().Parser().Parse(text.NewReader(src))
	var out [][2]int
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			// The whole block, fences and info string included.
			start := n.Pos()
			stop := start
			if l := n.Lines(); l.Len() > 0 {
				stop = l.At(l.Len() - 1).Stop
				if start < 0 {
					start = l.At(0).Start
				}
			}
			if f, ok := n.(*ast.FencedCodeBlock); ok {
				stop = fenceEnd(src, f, stop)
			}
			out = append(out, [2]int{max(start, 0), stop})
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			start := n.Pos()
			stop := start
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					stop = max(stop, t.Segment.Stop)
				}
			}
			for stop < len(src) && src[stop] == '`' {
				stop++
			}
			out = append(out, [2]int{max(start, 0), stop})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	slices.SortFunc(out, func(a, b [2]int) int { return a[0] - b[0] })
	return out
}

// fenceEnd extends a fenced block's range over its closing fence line.
func fenceEnd(src []byte, _ *ast.FencedCodeBlock, stop int) int {
	i := stop
	for i < len(src) && (src[i] == ' ' || src[i] == '`' || src[i] == '~') {
		i++
	}
	if i < len(src) && src[i] == '\n' {
		i++
	}
	return i
}

func inRanges(r [][2]int, p int) bool {
	for _, x := range r {
		if x[0] > p {
			return false
		}
		if p < x[1] {
			return true
		}
	}
	return false
}
