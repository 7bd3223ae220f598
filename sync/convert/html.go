package convert

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/kbsync/kbsync/sync/forum"
)

// htmlToMarkdown runs the HTML path up to the Markdown the converter
// library writes: allow-list, depth cap, parse, URL and text cleaning on
// the tree, conversion.
func (c *Converter) htmlToMarkdown(body, site string) (string, error) {
	body = forum.CleanText(body)
	if strings.Contains(body, "\xef\x80") {
		// html-to-markdown uses U+F002 as its placeholder for newlines in
		// code: in the input it would become a line break in the output.
		body = strings.Map(func(r rune) rune {
			if r >= 0xF000 && r <= 0xF00F {
				return -1
			}
			return r
		}, body)
	}
	clean := c.policy.Sanitize(body)
	if strings.Count(clean, "<") > MaxDepth {
		clean = limitDepth(clean, MaxDepth)
	}
	doc, err := html.Parse(strings.NewReader(clean))
	if err != nil {
		return "", fmt.Errorf("convert html: parse: %w", err)
	}
	prepare(doc, site)
	md, err := c.h2m.ConvertNode(doc)
	if err != nil {
		return "", fmt.Errorf("convert html: %w", err)
	}
	out := forum.CleanText(string(md))
	if strings.Contains(out, escapeMark) {
		out = strings.ReplaceAll(out, escapeMark, `\`)
	}
	return out, nil
}

// walker cleans the parsed tree before conversion: link and image URLs go
// through cleanURL (an unsafe link is unwrapped, keeping its text; an
// unsafe image becomes its alt text), invisible characters leave text
// outside pre/code and the alt and title attributes, and text is escaped
// for Markdown here rather than by html-to-markdown, whose escaping takes
// a lock per character and sorts its handlers per escaped character (three
// quarters of its time on the corpus), and misses line starts inside block
// quotes.
type walker struct {
	site string
	// lineStart is set while no text has been written since the start of
	// a block or a <br>.
	lineStart bool
	// carry is the text that started the current line when it might open
	// a block together with the next text (digits before "." or ")").
	carry *html.Node
}

func prepare(n *html.Node, site string) {
	w := &walker{site: site, lineStart: true}
	w.walk(n, false, false)
}

func (w *walker) walk(n *html.Node, inCode, inTable bool) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.TextNode:
			if inCode {
				w.lineStart = false
				break
			}
			text := cleanProse(c.Data)
			if w.lineStart {
				// A browser drops whitespace at the start of a line; so
				// must we, or "1. " after a <br> is not seen as a line start.
				text = strings.TrimLeft(text, " \t\n\r\f")
			}
			at := -1
			switch {
			case w.lineStart:
				at = lineBlockStart(text)
			case w.carry != nil:
				// The line began in the previous text ("<sup>1</sup>. x").
				prev := w.carry.Data
				if i := lineBlockStart(prev + text); i >= len(prev) {
					at = i - len(prev)
				} else if i >= 0 {
					w.carry.Data = prev[:i] + escapeMark + prev[i:]
				}
			}
			w.carry = nil
			c.Data = escapeText(text, at, inTable)
			if w.lineStart && text != "" && len(text) < 10 && strings.Trim(text, "0123456789-+=#") == "" {
				w.carry = c
			}
			if strings.TrimSpace(text) != "" {
				w.lineStart = false
			}
		case html.ElementNode:
			for i := range c.Attr {
				if k := c.Attr[i].Key; k == "alt" || k == "title" {
					c.Attr[i].Val = escapeEntities(stripInvisible(c.Attr[i].Val))
				}
			}
			switch c.DataAtom {
			case atom.A:
				// A link without a safe destination is just its text.
				dest := ""
				i := attrIndex(c, "href")
				if i >= 0 {
					dest = cleanURL(c.Attr[i].Val, w.site)
				}
				if dest == "" {
					if first := unwrap(n, c); first != nil {
						c = first
					} else {
						c = next
					}
					continue
				}
				c.Attr[i].Val = dest
			case atom.Img:
				i := attrIndex(c, "src")
				dest := ""
				if i >= 0 {
					dest = cleanURL(c.Attr[i].Val, w.site)
				}
				if dest == "" {
					// The alt text stays, as text.
					if j := attrIndex(c, "alt"); j >= 0 && strings.TrimSpace(c.Attr[j].Val) != "" {
						alt := &html.Node{Type: html.TextNode, Data: strings.ReplaceAll(c.Attr[j].Val, escapeMark, "")}
						n.InsertBefore(alt, c)
						n.RemoveChild(c)
						c = alt
						continue
					}
					n.RemoveChild(c)
					c = next
					continue
				}
				c.Attr[i].Val = dest
				w.lineStart = false
			case atom.Br, atom.Hr:
				w.lineStart = true
			}
			block := blockElement[c.DataAtom]
			if block {
				w.lineStart = true
			}
			w.walk(c, inCode || c.DataAtom == atom.Pre || c.DataAtom == atom.Code,
				inTable || c.DataAtom == atom.Td || c.DataAtom == atom.Th)
			if block {
				w.lineStart = true
			}
		}
		c = next
	}
}

var blockElement = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.Blockquote: true, atom.Li: true,
	atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dd: true, atom.Dt: true, atom.Pre: true, atom.Table: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Details: true, atom.Summary: true, atom.Figure: true, atom.Figcaption: true,
	atom.Section: true, atom.Article: true, atom.Aside: true, atom.Header: true, atom.Footer: true, atom.Body: true}

// escapeMark stands, in text handed to html-to-markdown, for a backslash
// the output needs. Private-use characters U+F000-U+F00F are removed from
// the input, so the mark cannot come from a post.
const escapeMark = "\uF004"

// escapeText escapes what Markdown would read as syntax in a text: a
// backslash, `*`, a backtick, brackets, an `_` that is not inside a
// word, `~~`, `&` that starts an entity ("&nbsp;" written &amp;nbsp; in
// HTML must stay text), `|` in table cells, and the byte at (when >= 0),
// where a line would open a block ("1. ", "- ", "#"...).
func escapeText(s string, at int, inTable bool) string {
	var b strings.Builder
	started := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		mark := i == at
		switch c {
		case '\\', '*', '`', '[', ']':
			mark = true
		case '<', '>':
			mark = false // html-to-markdown writes them as &lt; and &gt;
		case '_':
			mark = !(i > 0 && wordByte(s[i-1]) && i+1 < len(s) && wordByte(s[i+1]))
		case '~':
			mark = mark || (i > 0 && s[i-1] == '~') || (i+1 < len(s) && s[i+1] == '~')
		case '|':
			mark = mark || inTable
		case '&':
			mark = entityAt(s[i+1:])
		}
		if mark && !started {
			b.Grow(len(s) + 16)
			b.WriteString(s[:i])
			started = true
		}
		if mark {
			b.WriteString(escapeMark)
		}
		if started {
			b.WriteByte(c)
		}
	}
	if !started {
		return s
	}
	return b.String()
}

// lineBlockStart is blockStart for the first line of a text.
func lineBlockStart(s string) int {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(strings.TrimLeft(s, " "), ">") {
		return -1 // html-to-markdown writes > as &gt;
	}
	return blockStart([]byte(s))
}

func wordByte(c byte) bool {
	return c >= 0x80 || (c >= '0' && c <= '9') || isAlpha(c)
}

// escapeEntities marks every `&` that starts something an entity parser
// would read (`&name;`, `&#123;`, `&#x1F;`).
func escapeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '&' && entityAt(s[i+1:]) {
			b.WriteString(escapeMark)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func entityAt(s string) bool {
	i := 0
	if strings.HasPrefix(s, "#x") || strings.HasPrefix(s, "#X") {
		i = 2
		for i < len(s) && i < 9 && isHex(s[i]) {
			i++
		}
		return i > 2 && i < len(s) && s[i] == ';'
	}
	if strings.HasPrefix(s, "#") {
		i = 1
		for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > 1 && i < len(s) && s[i] == ';'
	}
	for i < len(s) && i < 40 && (isAlpha(s[i]) || (i > 0 && s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	return i > 0 && i < len(s) && s[i] == ';'
}

func isHex(c byte) bool   { return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func attrIndex(n *html.Node, key string) int {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return i
		}
	}
	return -1
}

// unwrap replaces an element by its children and returns the first of
// them (nil when it had none).
func unwrap(parent, n *html.Node) *html.Node {
	first := n.FirstChild
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
		c = next
	}
	parent.RemoveChild(n)
	return first
}

// limitDepth drops start tags nested deeper than max (and their end tags),
// keeping all text, so that the parser never meets a pathological tree.
// It counts like the parser does, roughly: void elements do not nest, and
// an end tag closes everything opened after its start tag.
func limitDepth(s string, max int) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	var stack []string
	dropped := map[string]int{}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken:
			name, _ := z.TagName()
			if void[string(name)] {
				break
			}
			if len(stack) >= max {
				dropped[string(name)]++
				continue
			}
			stack = append(stack, string(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			i := len(stack) - 1
			for i >= 0 && stack[i] != string(name) {
				i--
			}
			if i >= 0 {
				stack = stack[:i]
			} else if dropped[string(name)] > 0 {
				dropped[string(name)]--
				continue
			}
		}
		b.Write(z.Raw())
	}
}

var void = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}
