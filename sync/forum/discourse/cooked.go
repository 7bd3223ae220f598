package discourse

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kbsync/kbsync/sync/forum"
)

// CleanCooked turns a post's rendered "cooked" HTML into plain HTML that a
// generic HTML-to-Markdown converter handles well. It removes Discourse's
// chrome and keeps the content:
//
//   - image lightboxes become a bare <img src alt> (no size or file-size text);
//   - quotes (aside.quote) become a <blockquote> whose first paragraph is the
//     quoted user's name, without the avatar;
//   - emoji images become their Unicode character when the name is known,
//     else the ":name:" text;
//   - oneboxes become <p><a href=URL>Title</a></p>;
//   - @mentions become plain "@name" text;
//   - class, style, data-* and sizing attributes go; a code block keeps its
//     language as class="language-x";
//   - relative and upload:// links become absolute on site (see absURL).
//
// Text, code and links are otherwise kept. The result is valid UTF-8 and
// CleanCooked(CleanCooked(x)) == CleanCooked(x) for well-formed input.
func CleanCooked(cooked, site string) string {
	site = strings.TrimRight(site, "/")
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(forum.CleanText(cooked)), ctx)
	if err != nil { // only reader errors, impossible with a strings.Reader
		return ""
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
		root.AppendChild(n)
	}
	c := &cleaner{site: site}
	c.children(root)
	var b strings.Builder
	for n := root.FirstChild; n != nil; n = n.NextSibling {
		if err := html.Render(&b, n); err != nil {
			break
		}
	}
	return forum.CleanText(b.String())
}

type cleaner struct{ site string }

func (c *cleaner) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; {
		next := ch.NextSibling
		c.node(ch)
		ch = next
	}
}

func (c *cleaner) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
	case html.ElementNode:
		c.element(n)
	default: // comments, doctypes
		n.Parent.RemoveChild(n)
	}
}

func (c *cleaner) element(n *html.Node) {
	cls := classes(n)
	a := n.DataAtom
	switch {
	case a == atom.Svg || a == atom.Script || a == atom.Style || a == atom.Noscript || a == atom.Template:
		n.Parent.RemoveChild(n)
	case cls["lightbox-wrapper"] || (a == atom.A && cls["lightbox"]):
		c.lightbox(n)
	case a == atom.Aside && cls["quote"]:
		c.quote(n)
	case (a == atom.Aside || a == atom.Div) &&
		(cls["onebox"] || cls["lazyYT"] || cls["lazy-video-container"] || cls["youtube-onebox"]):
		c.onebox(n)
	case a == atom.Img && cls["emoji"]:
		c.emoji(n)
	case (a == atom.Img && cls["avatar"]) || cls["quote-controls"]:
		n.Parent.RemoveChild(n)
	case (a == atom.A || a == atom.Span) && (cls["mention"] || cls["mention-group"]):
		name := oneLine(textOf(n))
		if name != "" && !strings.HasPrefix(name, "@") {
			name = "@" + name
		}
		replace(n, textNode(name))
	case a == atom.A && cls["anchor"] && strings.TrimSpace(textOf(n)) == "":
		n.Parent.RemoveChild(n) // heading permalink icon
	case a == atom.Iframe:
		src := attr(n, "src")
		if src == "" {
			n.Parent.RemoveChild(n)
			return
		}
		src = absURL(src, c.site)
		c.replaceBlock(n, link(src, src))
	default:
		c.attrs(n)
		c.children(n)
		switch {
		case a == atom.Span:
			unwrap(n)
		case a == atom.P && blankText(n):
			n.Parent.RemoveChild(n) // left by <p><div ...></div></p>
		}
	}
}

// lightbox replaces an image lightbox with the bare image.
func (c *cleaner) lightbox(n *html.Node) {
	img := find(n, func(x *html.Node) bool { return x.DataAtom == atom.Img })
	if img == nil { // a lightbox without an image: keep it as plain content
		for _, m := range findAll(n, func(x *html.Node) bool { return classes(x)["meta"] }) {
			m.Parent.RemoveChild(m)
		}
		c.attrs(n)
		c.children(n)
		if n.DataAtom != atom.A {
			unwrap(n)
		}
		return
	}
	box := n
	if n.DataAtom != atom.A {
		if l := find(n, func(x *html.Node) bool { return x.DataAtom == atom.A && classes(x)["lightbox"] }); l != nil {
			box = l
		}
	}
	src := attr(img, "src")
	if src == "" {
		src = attr(box, "href")
	}
	alt := attr(img, "alt")
	if alt == "" && box.DataAtom == atom.A {
		alt = attr(box, "title")
	}
	if alt == "" {
		if f := find(n, func(x *html.Node) bool { return classes(x)["filename"] }); f != nil {
			alt = textOf(f)
		}
	}
	out := &html.Node{Type: html.ElementNode, Data: "img", DataAtom: atom.Img}
	out.Attr = append(out.Attr, html.Attribute{Key: "src", Val: absURL(src, c.site)})
	out.Attr = append(out.Attr, html.Attribute{Key: "alt", Val: oneLine(alt)})
	c.replaceBlock(n, out)
}

// quote turns aside.quote into a blockquote led by the quoted user's name.
func (c *cleaner) quote(n *html.Node) {
	var title, inner *html.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case title == nil && ch.Type == html.ElementNode && classes(ch)["title"]:
			title = ch
		case inner == nil && ch.DataAtom == atom.Blockquote:
			inner = ch
		}
	}
	bq := &html.Node{Type: html.ElementNode, Data: "blockquote", DataAtom: atom.Blockquote}
	name := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
	if title != nil {
		moveChildren(title, name)
		c.children(name)
		trimEdges(name)
	}
	if name.FirstChild == nil {
		if u := oneLine(attr(n, "data-username")); u != "" {
			name.AppendChild(textNode(u + ":"))
		}
	}
	if name.FirstChild != nil {
		bq.AppendChild(name)
	}
	if inner != nil {
		moveChildren(inner, bq)
	} else {
		for ch := n.FirstChild; ch != nil; {
			next := ch.NextSibling
			if ch != title {
				n.RemoveChild(ch)
				bq.AppendChild(ch)
			}
			ch = next
		}
	}
	for ch := bq.FirstChild; ch != nil; {
		next := ch.NextSibling
		if ch != name {
			c.node(ch)
		}
		ch = next
	}
	c.replaceBlock(n, bq)
}

// onebox replaces a link preview with a plain link to its URL.
func (c *cleaner) onebox(n *html.Node) {
	href := attr(n, "data-onebox-src")
	title := oneLine(attr(n, "data-youtube-title"))
	if title == "" {
		title = oneLine(attr(n, "data-video-title"))
	}
	if id := attr(n, "data-youtube-id"); id != "" && href == "" {
		href = "https://www.youtube.com/watch?v=" + id
	}
	heading := find(n, func(x *html.Node) bool {
		return x.DataAtom == atom.H3 || x.DataAtom == atom.H4 || x.DataAtom == atom.H2
	})
	if title == "" && heading != nil {
		title = oneLine(textOf(heading))
	}
	source := find(n, func(x *html.Node) bool { return x.Type == html.ElementNode && classes(x)["source"] })
	var l *html.Node
	for _, in := range []*html.Node{source, heading, n} {
		if l == nil && in != nil {
			l = find(in, isLink)
		}
	}
	if href == "" && l != nil {
		href = attr(l, "href")
	}
	if title == "" && l != nil {
		title = oneLine(textOf(l))
	}
	if title == "" && source != nil {
		title = oneLine(textOf(source))
	}
	href = absURL(strings.TrimSpace(href), c.site)
	if title == "" {
		title = href
	}
	switch {
	case href != "":
		c.replaceBlock(n, link(href, title))
	case title != "":
		c.replaceBlock(n, textNode(title))
	default:
		n.Parent.RemoveChild(n)
	}
}

var emojiCode = regexp.MustCompile(`^:[a-z0-9_+\-]+:(?:t[2-6]:)?$`)

// emoji replaces an emoji image with its character, else its :code:.
func (c *cleaner) emoji(n *html.Node) {
	for _, s := range []string{attr(n, "title"), attr(n, "alt")} {
		s = strings.TrimSpace(s)
		if emojiCode.MatchString(s) {
			if r, ok := emojiChar(s); ok {
				s = r
			}
			replace(n, textNode(s))
			return
		}
	}
	if alt := oneLine(attr(n, "alt")); alt != "" {
		replace(n, textNode(alt))
		return
	}
	n.Parent.RemoveChild(n)
}

var langName = regexp.MustCompile(`^(?:lang|language)-([A-Za-z0-9_+#.-]+)$`)

// keepAttrs are the attributes that carry content, per element.
var keepAttrs = map[atom.Atom][]string{
	atom.A:      {"href", "title"},
	atom.Img:    {"src", "alt", "title"},
	atom.Td:     {"colspan", "rowspan"},
	atom.Th:     {"colspan", "rowspan"},
	atom.Ol:     {"start"},
	atom.Abbr:   {"title"},
	atom.Video:  {"src"},
	atom.Audio:  {"src"},
	atom.Source: {"src"},
}

// attrs drops every attribute but content ones, making links absolute.
func (c *cleaner) attrs(n *html.Node) {
	var kept []html.Attribute
	if n.DataAtom == atom.Code {
		for _, a := range n.Attr {
			if a.Key != "class" || a.Namespace != "" {
				continue
			}
			for _, cl := range strings.Fields(a.Val) {
				if m := langName.FindStringSubmatch(cl); m != nil {
					switch strings.ToLower(m[1]) {
					case "auto", "nohighlight", "plaintext", "text":
					default:
						kept = append(kept, html.Attribute{Key: "class", Val: "language-" + m[1]})
					}
					break
				}
			}
		}
	}
	for _, key := range keepAttrs[n.DataAtom] {
		for _, a := range n.Attr {
			if a.Key == key && a.Namespace == "" {
				if key == "href" || key == "src" {
					a.Val = absURL(strings.TrimSpace(a.Val), c.site)
				}
				kept = append(kept, html.Attribute{Key: key, Val: a.Val})
				break
			}
		}
	}
	n.Attr = kept
}

// replaceBlock puts out in n's place, in a paragraph when n sat directly in
// a block container (where an inline image or link would float alone).
func (c *cleaner) replaceBlock(n, out *html.Node) {
	if p := n.Parent; p != nil && out.DataAtom != atom.Blockquote && isBlockContainer(p) {
		para := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		para.AppendChild(out)
		out = para
	}
	replace(n, out)
}

func isBlockContainer(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Div, atom.Blockquote, atom.Aside, atom.Body, atom.Section, atom.Article,
		atom.Details, atom.Header, atom.Footer, atom.Main, atom.Nav, atom.Figure:
		return true
	}
	return false
}

func replace(n, with *html.Node) {
	n.Parent.InsertBefore(with, n)
	n.Parent.RemoveChild(n)
}

// unwrap replaces n by its children.
func unwrap(n *html.Node) {
	p := n.Parent
	for ch := n.FirstChild; ch != nil; {
		next := ch.NextSibling
		n.RemoveChild(ch)
		p.InsertBefore(ch, n)
		ch = next
	}
	p.RemoveChild(n)
}

func moveChildren(from, to *html.Node) {
	for ch := from.FirstChild; ch != nil; {
		next := ch.NextSibling
		from.RemoveChild(ch)
		to.AppendChild(ch)
		ch = next
	}
}

// trimEdges removes the whitespace at both ends of n's text.
func trimEdges(n *html.Node) {
	for ch := n.FirstChild; ch != nil && ch.Type == html.TextNode; ch = n.FirstChild {
		ch.Data = strings.TrimLeft(ch.Data, " \t\r\n\f")
		if ch.Data != "" {
			break
		}
		n.RemoveChild(ch)
	}
	for ch := n.LastChild; ch != nil && ch.Type == html.TextNode; ch = n.LastChild {
		ch.Data = strings.TrimRight(ch.Data, " \t\r\n\f")
		if ch.Data != "" {
			break
		}
		n.RemoveChild(ch)
	}
}

func blankText(n *html.Node) bool {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.TextNode || strings.TrimSpace(ch.Data) != "" {
			return false
		}
	}
	return true
}

func link(href, text string) *html.Node {
	a := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
		Attr: []html.Attribute{{Key: "href", Val: href}}}
	a.AppendChild(textNode(text))
	return a
}

func textNode(s string) *html.Node { return &html.Node{Type: html.TextNode, Data: s} }

func isLink(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "href") != "" }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func classes(n *html.Node) map[string]bool {
	var m map[string]bool
	for _, a := range n.Attr {
		if a.Key == "class" && a.Namespace == "" {
			for _, c := range strings.Fields(a.Val) {
				if m == nil {
					m = map[string]bool{}
				}
				m[c] = true
			}
		}
	}
	return m
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if match(ch) {
			return ch
		}
		if f := find(ch, match); f != nil {
			return f
		}
	}
	return nil
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if match(ch) {
			out = append(out, ch)
			continue
		}
		out = append(out, findAll(ch, match)...)
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

func oneLine(s string) string { return forum.OneLine(s) }
