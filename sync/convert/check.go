package convert

import (
	"fmt"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Check parses a whole generated article body with goldmark and refuses
// what must not be published: raw HTML (inline or blocks), links, images,
// autolinks and reference definitions whose destination is not safe
// (SafeURL, after entity decoding), bidi controls anywhere (ErrBidi), C0/C1
// controls and invalid UTF-8. It is the last gate before an article is
// written: one parse and one walk.
func (c *Converter) Check(doc []byte) error {
	if !utf8.Valid(doc) {
		return fmt.Errorf("%w: invalid UTF-8", ErrUnsafe)
	}
	for i := 0; i < len(doc); i++ {
		if n := controlAt(doc, i); n > 0 {
			r, _ := utf8.DecodeRune(doc[i:])
			if n == 1 {
				r = rune(doc[i])
			}
			return fmt.Errorf("%w: control character %U at byte %d", ErrUnsafe, r, i)
		}
		if doc[i] == 0xE2 && invisibleAt(doc, i) > 0 {
			if r, _ := utf8.DecodeRune(doc[i:]); bidiControl(r) {
				return fmt.Errorf("%w %U at byte %d", ErrBidi, r, i)
			}
		}
	}
	root := c.md.Parser().Parse(text.NewReader(doc))
	return ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			return ast.WalkStop, fmt.Errorf("%w: raw HTML %q", ErrUnsafe, clip(n.Segments.Value(doc)))
		case *ast.HTMLBlock:
			return ast.WalkStop, fmt.Errorf("%w: an HTML block at byte %d", ErrUnsafe, n.Pos())
		case *ast.Link:
			if !SafeURL(mdUnescape(n.Destination)) {
				return ast.WalkStop, fmt.Errorf("%w: link to %q", ErrUnsafe, clip(n.Destination))
			}
		case *ast.Image:
			if !SafeURL(mdUnescape(n.Destination)) {
				return ast.WalkStop, fmt.Errorf("%w: image from %q", ErrUnsafe, clip(n.Destination))
			}
		case *ast.AutoLink:
			if !SafeURL(string(n.URL(doc))) {
				return ast.WalkStop, fmt.Errorf("%w: autolink to %q", ErrUnsafe, clip(n.URL(doc)))
			}
		case *ast.LinkReferenceDefinition:
			if !SafeURL(mdUnescape(n.Destination)) {
				return ast.WalkStop, fmt.Errorf("%w: reference definition to %q", ErrUnsafe, clip(n.Destination))
			}
		}
		return ast.WalkContinue, nil
	})
}

// clip shortens a value for an error message.
func clip(b []byte) string {
	s := []rune(string(b))
	if len(s) > 40 {
		return string(s[:40]) + "..."
	}
	return string(s)
}
