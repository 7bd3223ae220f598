package convert

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// edit replaces src[start:stop] with repl (an insertion when start == stop).
type edit struct {
	start, stop int
	repl        string
}

// fixer finds what must change in one Markdown document. It never renders
// the document: it edits the source at the positions goldmark's AST gives,
// so everything else keeps its bytes.
type fixer struct {
	c    *Converter
	src  []byte
	site string
	// fromHTML is set for the HTML path's own output: raw HTML there is
	// text that must be escaped, not markup to convert again.
	fromHTML bool

	edits   []edit
	protect [][2]int // code: invisible characters stay
	// hints are Stack Exchange `<!-- language: lang-x -->` comments, by the
	// HTML block that holds them; langAll is the latest `language-all` one.
	hints   map[ast.Node]string
	langAll string
	hasAll  bool
	// pairs maps opening inline tags to their closing tags, per parent.
	pairs  map[*ast.RawHTML]*ast.RawHTML
	paired map[ast.Node]bool
	// failed is set when a construct could not be located in the source;
	// the caller then falls back to the HTML path.
	failed bool
}

// apply returns src with the edits made, or nil when there are none.
// Edits that overlap an earlier one wait for the next round.
func apply(src []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return nil
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	var b bytes.Buffer
	b.Grow(len(src) + 64)
	last := 0
	for _, e := range edits {
		if e.start < last {
			continue
		}
		b.Write(src[last:e.start])
		b.WriteString(e.repl)
		last = e.stop
	}
	b.Write(src[last:])
	return b.Bytes()
}

// fix runs the fixer until the document needs no edit. It reports ok=false
// when the document could not be fixed in place.
func (c *Converter) fix(src []byte, site string, fromHTML bool) (out []byte, ok bool, err error) {
	for range 6 {
		f := &fixer{c: c, src: src, site: site, fromHTML: fromHTML}
		if err := f.run(); err != nil {
			return nil, false, err
		}
		if f.failed {
			return src, false, nil
		}
		next := apply(src, f.edits)
		if next == nil {
			return src, true, nil
		}
		src = next
	}
	return src, false, nil
}

// limitNesting escapes the container markers (`>`, list markers) that
// open more than max containers on one line: goldmark's time grows
// faster than linearly with such nesting (500,000 `>` took 90 s), and no
// person nests a quote or list that deep. The text stays.
func limitNesting(src []byte, max int) []byte {
	var out []byte
	last := 0
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		depth := 0
		for i := start; i < end; {
			for i < end && (src[i] == ' ' || src[i] == '\t') {
				i++
			}
			n := 0
			switch {
			case i < end && src[i] == '>':
				n = 1
			case i+1 < end && (src[i] == '-' || src[i] == '+' || src[i] == '*') && (src[i+1] == ' ' || src[i+1] == '\t'):
				n = 1
			default:
				j := i
				for j < end && j-i < 9 && src[j] >= '0' && src[j] <= '9' {
					j++
				}
				if j > i && j+1 < end && (src[j] == '.' || src[j] == ')') && (src[j+1] == ' ' || src[j+1] == '\t') {
					n = j + 1 - i
				}
			}
			if n == 0 {
				break
			}
			if depth++; depth > max {
				out = append(out, src[last:i]...)
				out = append(out, '\\')
				last = i
				break
			}
			i += n
		}
		start = end + 1
	}
	if out == nil {
		return src
	}
	return append(out, src[last:]...)
}

// tagLikeLines escapes a '<' that starts a paragraph line as text when a
// tab follows the tag name ("<p\t"): goldmark reads the line as text, but
// CommonMark (and so remark, MDX and a later edit that trims the tab) reads
// it as the start of an HTML block.
func (f *fixer) tagLikeLines(n ast.Node) {
	lines := n.Lines()
	for i := range lines.Len() {
		at := lines.At(i).Start
		if !tagThenTab(f.src[at:]) {
			continue
		}
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if t, ok := c.(*ast.Text); ok && entering && t.Segment.Start == at {
				f.add(at, at, `\`)
				return ast.WalkStop, nil
			}
			return ast.WalkContinue, nil
		})
	}
}

// tagThenTab reports whether b starts with "<name" or "</name" and a tab.
func tagThenTab(b []byte) bool {
	i := 1
	if len(b) < 3 || b[0] != '<' {
		return false
	}
	if b[i] == '/' {
		i++
	}
	j := i
	for j < len(b) && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z' || j > i && (b[j] >= '0' && b[j] <= '9' || b[j] == '-')) {
		j++
	}
	return j > i && j < len(b) && b[j] == '\t'
}

func (f *fixer) add(start, stop int, repl string) {
	f.edits = append(f.edits, edit{start, stop, repl})
}

func (f *fixer) run() error {
	doc := f.c.md.Parser().Parse(text.NewReader(f.src))
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock:
			return ast.WalkSkipChildren, f.htmlBlock(n)
		case *ast.RawHTML:
			f.rawHTML(n)
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			if c := n.FirstChild(); c != nil {
				if t, ok := c.(*ast.Text); ok {
					start := t.Segment.Start
					stop := start
					for c := n.FirstChild(); c != nil; c = c.NextSibling() {
						if t, ok := c.(*ast.Text); ok {
							stop = t.Segment.Stop
						}
					}
					f.protect = append(f.protect, [2]int{start, stop})
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock:
			f.protectLines(n.Lines())
			f.codeLanguage(n)
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			f.protectLines(n.Lines())
			f.codeLanguage(n)
			return ast.WalkSkipChildren, nil
		case *ast.Link:
			if f.link(n, n.Destination, n.Reference, false) {
				return ast.WalkSkipChildren, nil
			}
		case *ast.Image:
			if f.link(n, n.Destination, n.Reference, true) {
				return ast.WalkSkipChildren, nil
			}
		case *ast.AutoLink:
			f.autoLink(n)
		case *ast.Paragraph, *ast.TextBlock:
			f.tagLikeLines(n)
		case *ast.LinkReferenceDefinition:
			f.refDef(n)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return err
	}
	f.invisibles()
	return nil
}

func (f *fixer) protectLines(lines *text.Segments) {
	if lines.Len() > 0 {
		f.protect = append(f.protect, [2]int{lines.At(0).Start, lines.At(lines.Len() - 1).Stop})
	}
}

// invisibles removes bidi controls and zero-width characters everywhere but
// in code.
func (f *fixer) invisibles() {
	s := util.BytesToReadOnlyString(f.src)
	if !hasInvisible(s) {
		return
	}
	slices.SortFunc(f.protect, func(a, b [2]int) int { return a[0] - b[0] })
	for _, d := range dropInvisibleText(s) {
		inCode := false
		for _, p := range f.protect {
			if p[0] > d[0] {
				break
			}
			if d[0] < p[1] {
				inCode = true
				break
			}
		}
		if !inCode {
			f.add(d[0], d[1], "")
		}
	}
}

// --- HTML blocks and inline HTML ---

var languageHint = regexp.MustCompile(`^<!--\s*(language|language-all):\s*([A-Za-z0-9_+#.-]+)\s*-->\s*$`)

func blockRange(n *ast.HTMLBlock) (start, stop int, ok bool) {
	lines := n.Lines()
	if lines.Len() == 0 {
		return 0, 0, false
	}
	start, stop = lines.At(0).Start, lines.At(lines.Len()-1).Stop
	if n.HasClosure() {
		stop = max(stop, n.ClosureLine.Stop)
	}
	return start, stop, true
}

func (f *fixer) htmlBlock(n *ast.HTMLBlock) error {
	start, stop, ok := blockRange(n)
	if !ok {
		return nil
	}
	if f.fromHTML {
		if i := bytes.IndexByte(f.src[start:stop], '<'); i >= 0 {
			f.add(start+i, start+i, `\`)
		}
		return nil
	}
	var raw []byte
	for i := range n.Lines().Len() {
		seg := n.Lines().At(i)
		raw = append(raw, seg.Value(f.src)...)
	}
	if n.HasClosure() {
		closure := n.ClosureLine
		raw = append(raw, closure.Value(f.src)...)
	}
	if m := languageHint.FindSubmatch(bytes.TrimSpace(raw)); m != nil {
		lang := strings.TrimPrefix(string(m[2]), "lang-")
		if lang == "none" || lang == "default" {
			lang = ""
		}
		if string(m[1]) == "language-all" {
			f.langAll, f.hasAll = lang, true
		} else {
			if f.hints == nil {
				f.hints = map[ast.Node]string{}
			}
			f.hints[n] = lang
		}
		f.add(start, stop, "")
		return nil
	}
	md, err := f.c.htmlFragment(string(raw), f.site)
	if err != nil {
		return err
	}
	if md == "" && start >= 2 && f.src[start-1] == '\n' && f.src[start-2] == '\n' {
		// Nothing replaces the block: take the blank line after it too.
		if i := bytes.IndexByte(f.src[stop:], '\n'); i >= 0 && len(bytes.TrimSpace(f.src[stop:stop+i])) == 0 {
			stop += i + 1
		}
	}
	f.add(start, stop, f.block(start, stop, md))
	return nil
}

// block lays out Markdown that replaces a block starting at start: lines
// after the first get the container prefix of the first (blockquote
// markers, list indentation), and a blank line ends it so that text after
// an HTML block does not join it.
func (f *fixer) block(start, stop int, md string) string {
	md = strings.TrimRight(md, "\n")
	if md == "" {
		return ""
	}
	lineStart := bytes.LastIndexByte(f.src[:start], '\n') + 1
	prefix := []byte(string(f.src[lineStart:start]))
	for i, c := range prefix {
		if c != '>' && c != ' ' && c != '\t' {
			prefix[i] = ' ' // a list marker: continuation lines are indented instead
		}
	}
	p := string(prefix)
	blank := strings.TrimRight(p, " \t")
	var b strings.Builder
	for i, line := range strings.Split(md, "\n") {
		if i > 0 {
			b.WriteByte('\n')
			if line == "" {
				b.WriteString(blank)
			} else {
				b.WriteString(p)
			}
		}
		b.WriteString(line)
	}
	b.WriteString("\n")
	line := f.src[min(stop, len(f.src)):]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(bytes.TrimLeft(line, " \t>")) > 0 {
		b.WriteString(blank + "\n") // text follows at once: keep it out of this block
	}
	return b.String()
}

// --- code language hints ---

func (f *fixer) codeLanguage(n ast.Node) {
	lang, ok := "", false
	if h, found := f.hints[n.PreviousSibling()]; found {
		lang, ok = h, true
	} else if f.hasAll {
		lang, ok = f.langAll, true
	}
	if !ok || lang == "" {
		return
	}
	switch n := n.(type) {
	case *ast.FencedCodeBlock:
		if n.Info != nil || n.Pos() < 0 {
			return
		}
		i := n.Pos()
		for i < len(f.src) && (f.src[i] == ' ') {
			i++
		}
		fence := i
		for i < len(f.src) && f.src[i] == f.src[fence] {
			i++
		}
		f.add(i, i, lang)
	case *ast.CodeBlock:
		// Only top-level blocks become fenced: inside a container the
		// fence lines would need the container's prefix.
		if _, top := n.Parent().(*ast.Document); !top || n.Lines().Len() == 0 {
			return
		}
		lines := n.Lines()
		var code []byte
		for i := range lines.Len() {
			seg := lines.At(i)
			code = append(code, seg.Value(f.src)...)
		}
		if len(code) > 0 && code[len(code)-1] != '\n' {
			code = append(code, '\n')
		}
		first, last := lines.At(0), lines.At(lines.Len()-1)
		start := bytes.LastIndexByte(f.src[:first.Start], '\n') + 1
		fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
		f.add(start, last.Stop, fence+lang+"\n"+string(code)+fence+"\n")
	}
}

func longestRun(b []byte, c byte) int {
	best, run := 0, 0
	for _, x := range b {
		if x == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}
