package redact

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Where a byte of the document sits, as far as a replacement cares.
const (
	kProse uint8 = iota // placeholders get escaped brackets
	kCode               // code blocks and spans: written as is
	kHTML               // raw HTML: written as is
	kDef                // a link reference definition
)

type span struct {
	start, end int
	kind       uint8
}

// link is the source extent of an inline link or image:
// start ![ textStart ... textEnd ]( dest "title" ) end.
type link struct {
	start, textStart, textEnd, end int
	destStart, destEnd             int
	titleStart, titleEnd           int
	ok                             bool // an inline link whose tail parsed
}

// leaf is a block that holds text: paragraph, heading, code, HTML or a
// link reference definition.
type leaf struct {
	start, end int
	kind       uint8
	spans      []span
	links      []*link
	autos      [][2]int
}

type layout struct {
	src    []byte
	leaves []*leaf
	shape  []ast.NodeKind // every block, in document order
}

// blockShape lists the kinds of s's blocks in document order, as newLayout
// records them.
func blockShape(md parser.Parser, s string) []ast.NodeKind {
	var shape []ast.NodeKind
	_ = ast.Walk(md.Parse(text.NewReader([]byte(s))), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Type() == ast.TypeBlock {
			shape = append(shape, n.Kind())
		}
		return ast.WalkContinue, nil
	})
	return shape
}

// newMarkdown returns a CommonMark parser; Parse is safe for concurrent use.
func newMarkdown() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
	)
}

// newLayout parses s and records where text, code, links and autolinks
// sit. It runs only for documents that have hits.
func newLayout(md parser.Parser, s string) *layout {
	src := []byte(s)
	doc := md.Parse(text.NewReader(src))
	l := &layout{src: src}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		l.shape = append(l.shape, n.Kind())
		var kind uint8
		switch n.(type) {
		case *ast.Paragraph, *ast.Heading, *ast.TextBlock:
			kind = kProse
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			kind = kCode
		case *ast.HTMLBlock:
			kind = kHTML
		case *ast.LinkReferenceDefinition:
			kind = kDef
		default:
			return ast.WalkContinue, nil
		}
		lines := n.Lines()
		if lines.Len() == 0 {
			return ast.WalkSkipChildren, nil
		}
		lf := &leaf{start: lines.At(0).Start, end: lines.At(lines.Len() - 1).Stop, kind: kind}
		if hb, ok := n.(*ast.HTMLBlock); ok && hb.HasClosure() {
			lf.end = max(lf.end, hb.ClosureLine.Stop)
		}
		if kind == kProse {
			l.inlines(lf, n, kProse)
		}
		l.leaves = append(l.leaves, lf)
		return ast.WalkSkipChildren, nil
	})
	sort.Slice(l.leaves, func(i, j int) bool { return l.leaves[i].start < l.leaves[j].start })
	return l
}

func (l *layout) inlines(lf *leaf, n ast.Node, kind uint8) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			if t.Segment.Stop > t.Segment.Start {
				lf.spans = append(lf.spans, span{t.Segment.Start, t.Segment.Stop, kind})
			}
		case *ast.CodeSpan:
			l.inlines(lf, t, kCode)
		case *ast.RawHTML:
			for i := 0; i < t.Segments.Len(); i++ {
				sg := t.Segments.At(i)
				lf.spans = append(lf.spans, span{sg.Start, sg.Stop, kHTML})
			}
		case *ast.AutoLink:
			if a, b := l.autoExtent(t); b > a {
				lf.autos = append(lf.autos, [2]int{a, b})
			}
		case *ast.Link:
			lf.links = append(lf.links, l.linkExtent(t, false, t.Reference == nil))
			l.inlines(lf, t, kind)
		case *ast.Image:
			lf.links = append(lf.links, l.linkExtent(t, true, t.Reference == nil))
			l.inlines(lf, t, kind)
		default:
			l.inlines(lf, c, kind)
		}
	}
}

func (l *layout) autoExtent(n ast.Node) (int, int) {
	p := n.Pos()
	if p < 0 || p >= len(l.src) {
		return 0, 0
	}
	j := bytes.IndexByte(l.src[p:], '>')
	if j < 0 {
		return 0, 0
	}
	return p, p + j + 1
}

// end returns where the source of inline node n ends.
func (l *layout) end(n ast.Node) int {
	switch t := n.(type) {
	case *ast.Text:
		return t.Segment.Stop
	case *ast.RawHTML:
		if t.Segments.Len() > 0 {
			return t.Segments.At(t.Segments.Len() - 1).Stop
		}
	case *ast.AutoLink:
		_, b := l.autoExtent(t)
		return b
	case *ast.Link:
		return l.linkExtent(t, false, t.Reference == nil).end
	case *ast.Image:
		return l.linkExtent(t, true, t.Reference == nil).end
	}
	e := max(n.Pos(), 0)
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		e = max(e, l.end(c))
	}
	if _, ok := n.(*ast.CodeSpan); ok {
		for e < len(l.src) && (l.src[e] == ' ' || l.src[e] == '\n') {
			e++
		}
		for e < len(l.src) && l.src[e] == '`' {
			e++
		}
	}
	return e
}

func (l *layout) linkExtent(n ast.Node, image, inline bool) *link {
	src := l.src
	lk := &link{start: n.Pos()}
	if lk.start < 0 {
		return lk
	}
	lk.textStart = lk.start + 1
	if image {
		lk.textStart++
	}
	i := lk.textStart
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		i = max(i, l.end(c))
	}
	for i < len(src) && src[i] != ']' {
		if src[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(src) {
		return lk
	}
	lk.textEnd = i
	lk.end = i + 1
	if !inline || i+1 >= len(src) || src[i+1] != '(' {
		return lk
	}
	i += 2
	i = skipSpace(src, i)
	lk.destStart = i
	i = skipDest(src, i)
	lk.destEnd = i
	i = skipSpace(src, i)
	if i < len(src) && (src[i] == '"' || src[i] == '\'' || src[i] == '(') {
		lk.titleStart = i
		i = skipTitle(src, i)
		lk.titleEnd = i
		i = skipSpace(src, i)
	}
	if i < len(src) && src[i] == ')' {
		lk.end = i + 1
		lk.ok = true
	}
	return lk
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

func skipDest(src []byte, i int) int {
	if i < len(src) && src[i] == '<' {
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '>':
				return j + 1
			case '\n', '<':
				return i
			}
		}
		return i
	}
	depth := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && isASCIIPunct(src[i+1]):
			i += 2
			continue
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return i
			}
			depth--
		case c <= ' ':
			return i
		}
		i++
	}
	return i
}

func skipTitle(src []byte, i int) int {
	closer := src[i]
	if closer == '(' {
		closer = ')'
	}
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case closer:
			return j + 1
		}
	}
	return len(src)
}

// defExtent finds the destination and title of a link reference
// definition leaf.
func (l *layout) defExtent(lf *leaf) (ds, de, ts, te int) {
	src := l.src[:lf.end]
	i := lf.start
	for i < len(src) && src[i] != ']' {
		if src[i] == '\\' {
			i++
		}
		i++
	}
	if i+1 >= len(src) || src[i+1] != ':' {
		return
	}
	i = skipSpace(src, i+2)
	ds = i
	de = skipDest(src, i)
	i = skipSpace(src, de)
	if i < len(src) && (src[i] == '"' || src[i] == '\'' || src[i] == '(') {
		ts, te = i, skipTitle(src, i)
	}
	return
}

type edit struct {
	start, end int
	text       string
}

// group is a set of overlapping hits, replaced once.
type group struct {
	start, end int
	ref        *ruleRef
	held       []string
}

func mergeHits(hits []found) []group {
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		if hits[i].end != hits[j].end {
			return hits[i].end > hits[j].end
		}
		return hits[i].ref.rank > hits[j].ref.rank || hits[i].ref.rank == hits[j].ref.rank && hits[i].ref.id < hits[j].ref.id
	})
	var gs []group
	for _, h := range hits {
		if n := len(gs); n > 0 && h.start < gs[n-1].end {
			g := &gs[n-1]
			if h.ref.rank > g.ref.rank || h.ref.rank == g.ref.rank && h.ref.id < g.ref.id {
				g.ref = h.ref
			}
			g.end = max(g.end, h.end)
			if h.held != "" {
				g.held = append(g.held, h.held)
			}
			continue
		}
		g := group{start: h.start, end: h.end, ref: h.ref}
		if h.held != "" {
			g.held = []string{h.held}
		}
		gs = append(gs, g)
	}
	return gs
}

func escaped(label string) string {
	return `\[` + label[1:len(label)-1] + `\]`
}

// apply replaces the hits in s and returns why the result must be held, if
// it must. In Markdown mode replacements keep the document's structure.
func (r *Redactor) apply(s string, hits []found, markdown bool, counts map[*ruleRef]int) (string, []string) {
	var reasons []string
	var edits []edit
	var lay *layout
	if markdown {
		lay = newLayout(r.md, s)
	}
	dropped := map[*link]bool{}
	for _, g := range mergeHits(hits) {
		counts[g.ref]++
		reasons = append(reasons, g.held...)
		if !markdown {
			edits = append(edits, edit{g.start, g.end, g.ref.label})
			continue
		}
		es, why := lay.plan(g, dropped)
		edits = append(edits, es...)
		if why != "" {
			reasons = append(reasons, g.ref.id+" "+why)
		}
	}
	out, clash := applyEdits(s, edits)
	if clash {
		reasons = append(reasons, "replacements overlap Markdown syntax")
	}
	if markdown && len(reasons) == 0 && len(edits) > 0 && !slices.Equal(lay.shape, blockShape(r.md, out)) {
		// What the plan could not foresee, such as "<!a@b.cc" (an HTML
		// block) becoming "<![redacted email]" (a paragraph).
		reasons = append(reasons, "a replacement changed the Markdown block structure")
	}
	return out, reasons
}

// plan decides how to replace one group. A non-empty reason means the
// replacement may have changed the document's structure.
func (l *layout) plan(g group, dropped map[*link]bool) ([]edit, string) {
	a, b := g.start, g.end
	label := g.ref.label
	i := sort.Search(len(l.leaves), func(i int) bool { return l.leaves[i].end > a })
	if i == len(l.leaves) || l.leaves[i].start > a || b > l.leaves[i].end {
		return []edit{{a, b, escaped(label)}}, "crosses Markdown blocks"
	}
	lf := l.leaves[i]
	switch lf.kind {
	case kCode, kHTML:
		return []edit{{a, b, label}}, ""
	case kDef:
		ds, de, ts, te := l.defExtent(lf)
		switch {
		case de > ds && ds <= a && b <= de:
			return []edit{{ds, de, "#redacted"}}, ""
		case te > ts && ts < a && b < te:
			return []edit{{a, b, escaped(label)}}, ""
		}
		return []edit{{a, b, escaped(label)}}, "overlaps a link definition"
	}
	// Autolinks and spans are in document order and do not overlap, so a
	// binary search finds the first that can touch [a, b).
	if k := sort.Search(len(lf.autos), func(k int) bool { return lf.autos[k][1] > a }); k < len(lf.autos) && lf.autos[k][0] < b {
		x := lf.autos[k]
		return []edit{{min(a, x[0]), max(b, x[1]), escaped(label)}}, ""
	}
	// Links start in order but nest (an image in a link's text), so walk
	// back from the last one that starts before b; the bound keeps a
	// paragraph of a thousand links linear. A miss ends as "overlaps
	// Markdown syntax" below: held, never leaked.
	last := sort.Search(len(lf.links), func(k int) bool { return lf.links[k].start >= b })
	for k := last - 1; k >= 0 && k >= last-64; k-- {
		lk := lf.links[k]
		if !(a < lk.end && lk.textEnd < b) {
			continue // not in the tail
		}
		switch {
		case lk.ok && lk.textEnd <= a && b <= lk.end && !(lk.titleEnd > lk.titleStart && lk.titleStart < a && b < lk.titleEnd):
			// In the destination: the link goes, its text stays.
			if dropped[lk] {
				return nil, ""
			}
			dropped[lk] = true
			if lk.textEnd == lk.textStart {
				return []edit{{lk.start, lk.end, escaped(label)}}, ""
			}
			if l.startsBlock(lk) {
				// Unwrapped, "[---](...)" or "[1. x](...)" at the start of
				// a line would become a rule, a heading or a list: keep the
				// link and give it a harmless target instead.
				return []edit{{lk.textEnd, lk.end, "](#redacted)"}}, ""
			}
			return []edit{{lk.start, lk.textStart, ""}, {lk.textEnd, lk.end, ""}}, ""
		case lk.ok && lk.titleStart < a && b < lk.titleEnd:
			return []edit{{a, b, escaped(label)}}, ""
		}
		return []edit{{a, b, escaped(label)}}, "overlaps link syntax"
	}
	// Inside text: every byte must be text or a line break between texts.
	kind := uint8(255)
	pos := a
	first := sort.Search(len(lf.spans), func(k int) bool { return lf.spans[k].end > a })
	for _, sp := range lf.spans[first:] {
		if sp.start >= b {
			break
		}
		for ; pos < sp.start; pos++ {
			if !benign(l.src[pos]) {
				return []edit{{a, b, escaped(label)}}, "overlaps Markdown syntax"
			}
		}
		if kind == 255 || sp.kind == kProse {
			kind = sp.kind
		}
		pos = max(pos, sp.end)
	}
	for ; pos < b; pos++ {
		if !benign(l.src[pos]) {
			return []edit{{a, b, escaped(label)}}, "overlaps Markdown syntax"
		}
	}
	if kind == kCode || kind == kHTML {
		return []edit{{a, b, label}}, ""
	}
	return []edit{{a, b, escaped(label)}}, ""
}

// startsBlock reports whether the link opens its line, or follows only
// marker characters on it ("-[ 0](...)" unwraps to the list item "- 0"),
// and its text could read as block syntax once the brackets are gone.
func (l *layout) startsBlock(lk *link) bool {
	for i := lk.start - 1; i >= 0 && l.src[i] != '\n'; i-- {
		if strings.IndexByte(" \t>-+*#=_~`0123456789.)", l.src[i]) < 0 {
			return false
		}
	}
	c := l.src[lk.textStart]
	return isDigit(c) || strings.IndexByte("-+*#>=_~`<[| \t\n", c) >= 0
}

// benign bytes sit between the texts of one paragraph: line breaks,
// indentation, quote markers and escapes.
func benign(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '\\'
}

// applyEdits writes s with edits applied. Overlapping edits are merged into
// one (clash is then true).
func applyEdits(s string, edits []edit) (string, bool) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	clash := false
	var merged []edit
	for _, e := range edits {
		if n := len(merged); n > 0 && e.start < merged[n-1].end {
			clash = true
			merged[n-1].end = max(merged[n-1].end, e.end)
			if merged[n-1].text == "" {
				merged[n-1].text = e.text
			}
			continue
		}
		merged = append(merged, e)
	}
	var sb strings.Builder
	sb.Grow(len(s))
	prev := 0
	for _, e := range merged {
		sb.WriteString(s[prev:e.start])
		sb.WriteString(e.text)
		prev = e.end
	}
	sb.WriteString(s[prev:])
	return sb.String(), clash
}
