package convert

// Inline HTML in an author's Markdown: each tag is replaced by Markdown or
// removed, so that the text around it reads the same.

import (
	"bytes"
	"html"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// tagAt reads the start of an HTML tag: `<name` or `</name`. (A regexp
// here made bodies of many tags quadratic: each match ran over the rest of
// the document.)
func tagAt(b []byte) (closing bool, name string, ok bool) {
	if len(b) < 2 || b[0] != '<' {
		return false, "", false
	}
	i := 1
	if b[i] == '/' {
		closing = true
		i++
	}
	j := i
	for j < len(b) && (isAlpha(b[j]) || (j > i && ((b[j] >= '0' && b[j] <= '9') || b[j] == '-'))) {
		j++
	}
	if j == i {
		return false, "", false
	}
	return closing, strings.ToLower(string(b[i:j])), true
}

// rawHTML replaces one inline tag. Line breaks become Markdown hard breaks,
// <a href> pairs become links, <img> an image, <del>/<s> strikethrough;
// every other tag (kbd, sup, span, comments...) disappears and leaves its
// content, which is ordinary text around it.
func (f *fixer) rawHTML(n *ast.RawHTML) {
	segs := n.Segments
	if segs.Len() == 0 {
		return
	}
	start, stop := segs.At(0).Start, segs.At(segs.Len()-1).Stop
	if f.fromHTML {
		f.add(start, start, `\`)
		return
	}
	tag := f.src[start:stop]
	closing, name, ok := tagAt(tag)
	if !ok { // comment, processing instruction, declaration, CDATA
		f.removeInline(n, start, stop)
		return
	}
	switch {
	case name == "br":
		f.lineBreak(n, start, stop)
		return
	case name == "img" && !closing:
		md, err := f.c.htmlFragment(string(tag), f.site)
		if err == nil {
			f.add(start, stop, strings.Join(strings.Fields(md), " "))
			return
		}
	case name == "a" && !closing:
		if end := f.closerOf(n); end != nil {
			dest := cleanURL(attr(tag, "href"), f.site)
			if dest != "" && linkFree(n, end) {
				es := end.Segments
				f.add(start, stop, "[")
				f.add(es.At(0).Start, es.At(es.Len()-1).Stop, "]("+mdDest(dest)+")")
				return
			}
		}
	case (name == "del" || name == "s" || name == "strike") && !closing:
		if end := f.closerOf(n); end != nil {
			es := end.Segments
			cs, ce := es.At(0).Start, es.At(es.Len()-1).Stop
			if f.leftFlanking(start, stop) && f.rightFlanking(cs, ce) {
				f.add(start, stop, "~~")
				f.add(cs, ce, "~~")
				f.guardAutoLink(end, cs, ce)
				return
			}
		}
	}
	f.removeInline(n, start, stop)
}

// removeInline deletes an inline tag so that what was around it reads the
// same: text that lands at the start of a line is escaped if it would
// start a block (`1. `, `- `, `#`, `>`...), and a linkified URL just before
// the tag gets angle brackets, since the tag no longer ends it.
func (f *fixer) removeInline(n ast.Node, start, stop int) {
	f.add(start, stop, "")
	if f.atLineStart(n, start) {
		f.escapeBlockStart(stop)
	}
	if e, ok := n.PreviousSibling().(*ast.Emphasis); ok && stop < len(f.src) && isWordRune(runeAt(f.src, stop)) {
		f.underscoreToStar(e, start)
	}
	f.guardAutoLink(n, start, stop)
}

// guardAutoLink puts angle brackets around a linkified URL that ends where
// a tag at [start, stop) is replaced: the tag ended the URL, and without
// it the text after would join the link.
func (f *fixer) guardAutoLink(n ast.Node, start, stop int) {
	prev := n.PreviousSibling()
	end := start
	if t, ok := prev.(*ast.Text); ok && t.Segment.Stop == start && t.Segment.Len() > 0 &&
		len(bytes.TrimFunc(t.Segment.Value(f.src), unicode.IsPunct)) == 0 {
		// Trailing punctuation that the linkify rule left out of the URL.
		prev, end = t.PreviousSibling(), t.Segment.Start
	}
	a, ok := prev.(*ast.AutoLink)
	if !ok || unicode.IsSpace(f.nextVisible(stop)) {
		return
	}
	label := a.Label(f.src)
	if end >= len(label) && bytes.Equal(f.src[end-len(label):end], label) &&
		bytes.Contains(label, []byte("://")) && (end-len(label) == 0 || f.src[end-len(label)-1] != '<') {
		f.add(end-len(label), end-len(label), "<")
		f.add(end, end, ">")
	}
}

// nextVisible and prevVisible read the character next to a position once
// the inline tags around it are gone.
func (f *fixer) nextVisible(pos int) rune {
	for skip := 0; skip < 8 && pos < len(f.src) && isTag(f.src[pos:]); skip++ {
		j := bytes.IndexByte(f.src[pos:min(len(f.src), pos+256)], '>')
		if j < 0 {
			break
		}
		pos += j + 1
	}
	return runeAt(f.src, pos)
}

func (f *fixer) prevVisible(pos int) rune {
	for skip := 0; skip < 8 && pos > 0 && f.src[pos-1] == '>'; skip++ {
		j := bytes.LastIndexByte(f.src[max(0, pos-256):pos-1], '<')
		if j >= 0 {
			j += max(0, pos-256)
		}
		if j < 0 || !isTag(f.src[j:pos]) || bytes.IndexByte(f.src[j:pos-1], '>') >= 0 {
			break
		}
		pos = j
	}
	return runeBefore(f.src, pos)
}

// underscoreToStar rewrites `_x_` that ends at end as `*x*`: once the tag
// after it is gone, a letter follows the closing underscore, and an
// underscore cannot close emphasis inside a word (an asterisk can).
func (f *fixer) underscoreToStar(e *ast.Emphasis, end int) {
	open, level := e.Pos(), e.Level
	if open < 0 || end-level < open+level {
		return
	}
	run := strings.Repeat("_", level)
	if string(f.src[open:open+level]) != run || string(f.src[end-level:end]) != run {
		return
	}
	stars := strings.Repeat("*", level)
	f.add(open, open+level, stars)
	f.add(end-level, end, stars)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// atLineStart reports whether only indentation precedes pos on its line of
// the enclosing block.
func (f *fixer) atLineStart(n ast.Node, pos int) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() != ast.TypeBlock || p.Lines().Len() == 0 {
			continue
		}
		lines := p.Lines()
		// Lines are in order: find the last one starting at or before pos.
		i := sort.Search(lines.Len(), func(i int) bool { return lines.At(i).Start > pos }) - 1
		if i < 0 {
			return false
		}
		s := lines.At(i)
		return pos < s.Stop && len(bytes.TrimLeft(f.src[s.Start:pos], " \t")) == 0
	}
	return false
}

// escapeBlockStart inserts a backslash where the text at pos, now at the
// start of a line, would open a block: a list item, heading, quote,
// thematic break, setext underline or code fence.
func (f *fixer) escapeBlockStart(pos int) {
	// Read the line as it will be once the inline tags on it are gone,
	// keeping where each byte comes from.
	var line []byte
	var at []int
	for i := pos; i < len(f.src) && f.src[i] != '\n' && len(line) < 64; i++ {
		if f.src[i] == '<' {
			if isTag(f.src[i:]) {
				if j := bytes.IndexByte(f.src[i:min(len(f.src), i+256)], '>'); j > 0 && !bytes.ContainsAny(f.src[i:i+j], "\n") {
					i += j
					continue
				}
			}
		}
		line = append(line, f.src[i])
		at = append(at, i)
	}
	if len(line) == 0 {
		return
	}
	if i := blockStart(line); i >= 0 {
		f.add(at[i], at[i], `\`)
	}
}

// blockStart returns where a backslash keeps a line from opening a block:
// a list item, heading, quote, thematic break, setext underline or code
// fence; -1 when the line opens none.
func blockStart(line []byte) int {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	rest := line[i:]
	if len(rest) == 0 {
		return -1
	}
	endsItem := func(j int) bool { return j >= len(rest) || rest[j] == ' ' || rest[j] == '\t' }
	only := func(c byte) bool {
		for _, x := range rest {
			if x != c && x != ' ' && x != '\t' {
				return false
			}
		}
		return true
	}
	switch c := rest[0]; {
	case c == '>':
	case (c == '-' || c == '+' || c == '*') && endsItem(1):
	case c == '#':
		j := 0
		for j < len(rest) && rest[j] == '#' {
			j++
		}
		if j > 6 || !endsItem(j) {
			return -1
		}
	case (c == '-' || c == '*' || c == '_' || c == '=') && only(c):
	case (c == '`' || c == '~') && bytes.HasPrefix(rest, []byte{c, c, c}):
	case c >= '0' && c <= '9':
		j := 0
		for j < len(rest) && j < 10 && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j > 9 || j >= len(rest) || (rest[j] != '.' && rest[j] != ')') || !endsItem(j+1) {
			return -1
		}
		i += j
	default:
		return -1
	}
	return i
}

// leftFlanking and rightFlanking apply CommonMark's rules for a `~~`
// delimiter put in place of a tag at [start, stop): if they fail, the
// strikethrough would show as text.
func (f *fixer) leftFlanking(start, stop int) bool {
	next := f.nextVisible(stop)
	prev := f.prevVisible(start)
	return !unicode.IsSpace(next) && (!isPunct(next) || unicode.IsSpace(prev) || isPunct(prev))
}

func (f *fixer) rightFlanking(start, stop int) bool {
	prev := f.prevVisible(start)
	next := f.nextVisible(stop)
	return !unicode.IsSpace(prev) && (!isPunct(prev) || unicode.IsSpace(next) || isPunct(next))
}

func runeAt(b []byte, i int) rune {
	if i >= len(b) {
		return '\n'
	}
	r, _ := utf8.DecodeRune(b[i:])
	return r
}

func runeBefore(b []byte, i int) rune {
	if i <= 0 || i > len(b) {
		return '\n'
	}
	r, _ := utf8.DecodeLastRune(b[:i])
	return r
}

func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// lineBreak replaces a <br>: a Markdown hard break inside a paragraph (a
// backslash before the line's own newline when the tag ends a line), a
// space where a line break is not possible (table cells, headings), and
// nothing at the end of a paragraph.
func (f *fixer) lineBreak(n ast.Node, start, stop int) {
	switch n.Parent().(type) {
	case *ast.Paragraph, *ast.TextBlock:
	default:
		f.add(start, stop, " ")
		return
	}
	end := stop
	for end < len(f.src) && (f.src[end] == ' ' || f.src[end] == '\t') {
		end++
	}
	lines := n.Parent().Lines()
	last := lines.At(lines.Len() - 1).Stop
	more := false
	for i := end; i < last; i++ {
		if c := f.src[i]; c != ' ' && c != '\t' && c != '\n' {
			more = true
			break
		}
	}
	if !more {
		f.add(start, end, "")
		return
	}
	if f.src[end] == '\n' {
		f.add(start, end, "\\")
		return
	}
	f.add(start, end, "\\\n")
	f.escapeBlockStart(end)
}

// maxPairDistance is how many inline nodes may separate an opening tag
// from its closing tag for the pair to become Markdown syntax.
const maxPairDistance = 256

func isTag(b []byte) bool {
	_, _, ok := tagAt(b)
	return ok
}

// closerOf finds the </name> that closes an inline tag among its
// siblings, nested pairs matched like HTML does. The pairs of one parent
// are found in a single pass and kept.
func (f *fixer) closerOf(n *ast.RawHTML) *ast.RawHTML {
	parent := n.Parent()
	if f.pairs == nil {
		f.pairs = map[*ast.RawHTML]*ast.RawHTML{}
		f.paired = map[ast.Node]bool{}
	}
	if !f.paired[parent] {
		f.paired[parent] = true
		type open struct {
			node *ast.RawHTML
			idx  int
		}
		stacks := map[string][]open{}
		idx := 0
		for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
			idx++
			r, ok := c.(*ast.RawHTML)
			if !ok || r.Segments.Len() == 0 {
				continue
			}
			seg := r.Segments.At(0)
			closing, name, ok := tagAt(f.src[seg.Start:seg.Stop])
			if !ok || void[name] {
				continue
			}
			if !closing {
				stacks[name] = append(stacks[name], open{r, idx})
				continue
			}
			st := stacks[name]
			if len(st) == 0 {
				continue
			}
			o := st[len(st)-1]
			stacks[name] = st[:len(st)-1]
			// A closer far away is not used: the text between would be
			// walked for every pair.
			if idx-o.idx <= maxPairDistance {
				f.pairs[o.node] = r
			}
		}
	}
	return f.pairs[n]
}

// linkFree reports whether no link lies between two siblings: links do not
// nest in Markdown.
func linkFree(from, to ast.Node) bool {
	for s := from.NextSibling(); s != nil && s != to; s = s.NextSibling() {
		found := false
		_ = ast.Walk(s, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			switch n.(type) {
			case *ast.Link, *ast.AutoLink:
				found = true
				return ast.WalkStop, nil
			}
			return ast.WalkContinue, nil
		})
		if found {
			return false
		}
	}
	return true
}

var attrRE = regexp.MustCompile(`(?is)\s([a-z][a-z0-9-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+))`)

// attr reads one attribute of a tag, entities decoded.
func attr(tag []byte, name string) string {
	for _, m := range attrRE.FindAllSubmatch(tag, -1) {
		if strings.EqualFold(string(m[1]), name) {
			return html.UnescapeString(string(m[2]) + string(m[3]) + string(m[4]))
		}
	}
	return ""
}

// mdDest writes a URL as a Markdown link destination.
var destEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "[", "%5B", "]", "%5D", "\\", "%5C", "\n", "%0A", "\t", "%09")

func mdDest(u string) string { return destEscaper.Replace(u) }

// mdUnescape reads a Markdown destination as a renderer would (goldmark's
// URLEscape): backslash escapes, then references that end in a semicolon.
// html.UnescapeString would also read "&#Xa" as a newline, which no
// CommonMark renderer does. SafeURL still decodes leniently, to refuse more.
func mdUnescape(b []byte) string {
	return string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(b))))
}
