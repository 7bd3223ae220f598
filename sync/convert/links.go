package convert

// Links, images, autolinks and reference definitions in an author's
// Markdown: unsafe destinations are dropped (the text stays), others
// cleaned in place.

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// link checks one link or image. An unsafe destination drops the link and
// keeps its text; a destination that needs cleaning (https for `//host`,
// credentials, relative on site) is rewritten. It reports whether the node
// was replaced as a whole.
func (f *fixer) link(n ast.Node, destRaw []byte, ref *ast.ReferenceLink, image bool) bool {
	dest := mdUnescape(destRaw)
	clean := cleanURL(dest, f.site)
	if clean != "" && (clean == dest || ref != nil) {
		return false // reference links are cleaned in their definition
	}
	loc, ok := f.locateLink(n, ref, image)
	if !ok {
		f.failed = true
		return true
	}
	if clean == "" {
		f.add(loc.start, loc.end, string(f.src[loc.labelStart:loc.labelStop]))
		return true
	}
	if loc.destStart < 0 {
		f.failed = true
		return true
	}
	f.add(loc.destStart, loc.destStop, mdDest(clean))
	return false
}

type linkLoc struct {
	start, end            int // the whole link
	labelStart, labelStop int // between the brackets
	destStart, destStop   int // inline links only, else -1
}

// locateLink finds a link's extent in the source. goldmark gives the
// opening bracket (Pos); the rest is read with goldmark's own block
// reader over the lines of the enclosing block, the way its link parser
// reads them.
func (f *fixer) locateLink(n ast.Node, ref *ast.ReferenceLink, image bool) (linkLoc, bool) {
	loc := linkLoc{destStart: -1, destStop: -1}
	pos := n.Pos()
	if pos < 0 {
		return loc, false
	}
	var lines *text.Segments
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			lines = p.Lines()
			break
		}
	}
	if lines == nil {
		return loc, false
	}
	open := pos
	if image {
		open++
	}
	if open >= len(f.src) || f.src[open] != '[' {
		return loc, false
	}
	r := text.NewBlockReader(f.src, lines)
	line := -1
	for i := range lines.Len() {
		if s := lines.At(i); open >= s.Start && open < s.Stop {
			line = i
			break
		}
	}
	if line < 0 {
		return loc, false
	}
	r.SetPosition(line, text.NewSegment(open+1, lines.At(line).Stop))
	_, p0 := r.Position()
	if _, found := r.FindClosure('[', ']', text.FindClosureOptions{CodeSpan: true, Nesting: true, Newline: true, Advance: true}); !found {
		r.SetPosition(line, p0)
		if _, found := r.FindClosure('[', ']', text.FindClosureOptions{Nesting: true, Newline: true, Advance: true}); !found {
			return loc, false
		}
	}
	_, after := r.Position()
	loc.start, loc.labelStart, loc.labelStop = pos, open+1, after.Start-1
	if loc.labelStop < loc.labelStart || f.src[loc.labelStop] != ']' {
		return loc, false
	}
	if last := lastTextStop(n); last > loc.labelStop {
		return loc, false
	}
	if ref != nil {
		switch ref.Type {
		case ast.ReferenceLinkShortcut:
			loc.end = after.Start
		case ast.ReferenceLinkCollapsed:
			if r.Peek() != '[' {
				return loc, false
			}
			r.Advance(1)
			if r.Peek() != ']' {
				return loc, false
			}
			r.Advance(1)
			_, e := r.Position()
			loc.end = e.Start
		default:
			if r.Peek() != '[' {
				return loc, false
			}
			r.Advance(1)
			if _, found := r.FindClosure('[', ']', text.FindClosureOptions{Newline: true, Advance: true}); !found {
				return loc, false
			}
			_, e := r.Position()
			loc.end = e.Start
		}
		return loc, loc.end > loc.labelStop
	}
	if r.Peek() != '(' {
		return loc, false
	}
	r.Advance(1)
	r.SkipSpaces()
	if r.Peek() == ')' {
		r.Advance(1)
		_, e := r.Position()
		loc.end = e.Start
		return loc, true
	}
	_, d := r.Position()
	ds, de, ok := readDestination(r)
	if !ok {
		return loc, false
	}
	loc.destStart, loc.destStop = d.Start+ds, d.Start+de
	r.SkipSpaces()
	if r.Peek() != ')' {
		opener := r.Peek()
		if opener != '"' && opener != '\'' && opener != '(' {
			return loc, false
		}
		closer := opener
		if opener == '(' {
			closer = ')'
		}
		r.Advance(1)
		if _, found := r.FindClosure(opener, closer, text.FindClosureOptions{Newline: true, Advance: true}); !found {
			return loc, false
		}
		r.SkipSpaces()
		if r.Peek() != ')' {
			return loc, false
		}
	}
	r.Advance(1)
	_, e := r.Position()
	loc.end = e.Start
	return loc, loc.end > loc.destStop
}

// readDestination reads a link destination the way goldmark's
// parseLinkDestination does; it returns the offsets of the value (without
// angle brackets) relative to the reader's position.
func readDestination(r text.Reader) (start, stop int, ok bool) {
	line, _ := r.PeekLine()
	if len(line) > 0 && line[0] == '<' {
		for i := 1; i < len(line); i++ {
			c := line[i]
			if c == '\\' && i < len(line)-1 && util.IsPunct(line[i+1]) {
				i++
				continue
			}
			if c == '>' {
				r.Advance(i + 1)
				return 1, i, true
			}
		}
		return 0, 0, false
	}
	opened, i := 0, 0
	for i < len(line) {
		c := line[i]
		if c == '\\' && i < len(line)-1 && util.IsPunct(line[i+1]) {
			i += 2
			continue
		} else if c == '(' {
			opened++
		} else if c == ')' {
			opened--
			if opened < 0 {
				break
			}
		} else if util.IsSpace(c) {
			break
		}
		i++
	}
	r.Advance(i)
	return 0, i, i > 0
}

// lastTextStop is the end of the last text segment inside a node, or -1.
func lastTextStop(n ast.Node) int {
	stop := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); entering && ok {
			stop = max(stop, t.Segment.Stop)
		}
		return ast.WalkContinue, nil
	})
	return stop
}

// autoLink neutralises `<javascript:...>` (and a linkified scheme that is
// not allowed, like ftp://) by escaping it into text, and cleans the URL of
// an allowed one.
func (f *fixer) autoLink(n *ast.AutoLink) {
	label := n.Label(f.src)
	start := n.Pos()
	if len(label) == 0 || start < 0 || start >= len(f.src) {
		return
	}
	// Pos is the `<` of a bracketed autolink; for a linkified one it can
	// be the character before the URL.
	i := bytes.Index(f.src[start:min(len(f.src), start+len(label)+2)], label)
	if i < 0 || i > 1 {
		f.failed = true
		return
	}
	start += i
	bracket := start > 0 && f.src[start-1] == '<' && i == 1
	if !SafeURL(string(n.URL(f.src))) {
		if bracket {
			f.add(start-1, start-1, `\`)
		} else if i := bytes.IndexByte(label, ':'); i >= 0 {
			f.add(start+i, start+i, `\`)
		} else {
			f.failed = true
		}
		return
	}
	if n.AutoLinkType == ast.AutoLinkEmail {
		return
	}
	if clean := cleanURL(string(label), ""); clean != "" && clean != string(label) {
		f.add(start, start+len(label), clean)
	}
}

// refDef drops a reference definition with an unsafe destination (the
// links that use it are dropped too, keeping their text) and cleans the
// destination of the others.
func (f *fixer) refDef(n *ast.LinkReferenceDefinition) {
	dest := mdUnescape(n.Destination)
	clean := cleanURL(dest, f.site)
	if clean == dest {
		return
	}
	lines := n.Lines()
	if lines.Len() == 0 {
		f.failed = true
		return
	}
	if clean == "" {
		for i := range lines.Len() {
			s := lines.At(i)
			stop := s.Stop
			if stop > s.Start && f.src[stop-1] == '\n' {
				stop--
			}
			f.add(s.Start, stop, "")
		}
		return
	}
	// The destination follows `[label]:` on the first line or the next.
	first := lines.At(0)
	i := first.Start + 1 + len(n.Label)
	if i+1 >= len(f.src) || f.src[i] != ']' || f.src[i+1] != ':' {
		f.failed = true
		return
	}
	i += 2
	for i < len(f.src) && (f.src[i] == ' ' || f.src[i] == '\t') {
		i++
	}
	if i >= first.Stop || f.src[i] == '\n' {
		f.failed = true
		return
	}
	r := text.NewBlockReader(f.src, lines)
	r.SetPosition(0, text.NewSegment(i, first.Stop))
	ds, de, ok := readDestination(r)
	if !ok {
		f.failed = true
		return
	}
	f.add(i+ds, i+de, mdDest(clean))
}
