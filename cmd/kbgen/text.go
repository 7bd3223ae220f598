package main

import (
	"golang.org/x/net/html"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxPoints caps the insertion points kept per body: a few dozen give
// enough variety and keep the templates small.
const maxPoints = 32

// variant is one template text, escaped once for every output format,
// with the byte offsets at which a word may be inserted in each form.
// An offset always points at a space between two words of running text.
type variant struct {
	raw    string
	rawAt  []int
	xml    string
	xmlAt  []int
	json   string // without the surrounding quotes
	jsonAt []int
}

// newVariant escapes raw in pieces cut at the insertion points, so that the
// points can be carried over to each escaped form.
func newVariant(raw string, at []int) variant {
	v := variant{raw: raw, rawAt: at}
	var xb, jb []byte
	prev := 0
	for _, p := range at {
		xb = appendXMLAttr(xb, raw[prev:p])
		jb = appendJSONText(jb, raw[prev:p])
		v.xmlAt = append(v.xmlAt, len(xb))
		v.jsonAt = append(v.jsonAt, len(jb))
		prev = p
	}
	v.xml = string(appendXMLAttr(xb, raw[prev:]))
	v.json = string(appendJSONText(jb, raw[prev:]))
	return v
}

// htmlPoints lists the spaces between two words of running text in an
// HTML body: in text outside code (pre, code, kbd, ...) and outside the
// raw text of script, style, textarea and the like, so that code blocks
// and markup stay intact. Offsets are summed from the tokenizer's raw
// token bytes.
func htmlPoints(s string) []int {
	var at []int
	z := html.NewTokenizer(strings.NewReader(s))
	// open counts the open elements of each code tag: an end tag closes
	// only an element that is open, as the parser does.
	open := map[string]int{}
	code, off, rawNext := 0, 0, false
	for len(at) < maxPoints {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		afterRaw := rawNext
		rawNext = false
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			b, _ := z.TagName()
			name := string(b)
			switch {
			case tt != html.EndTagToken && (name == "svg" || name == "math" || name == "frameset"):
				// Foreign content and framesets parse text differently from
				// the tokenizer's view: leave the rest of the body alone.
				return at
			case tt == html.EndTagToken:
				if open[name] > 0 {
					open[name]--
					code--
				}
			case isCodeTag(name):
				// A self-closing <pre/> opens a pre for the parser too.
				open[name]++
				code++
			case isRawTag(name):
				rawNext = true
			}
		case html.TextToken:
			if code > 0 || afterRaw {
				break
			}
			for i := 1; i+1 < len(raw) && len(at) < maxPoints; i++ {
				if raw[i] == ' ' && isWordByte(raw[i-1]) && isWordByte(raw[i+1]) && !inReference(raw[:i]) {
					at = append(at, off+i)
				}
			}
		}
		off += len(raw)
	}
	return at
}

func isCodeTag(name string) bool {
	switch name {
	case "pre", "code", "kbd", "samp", "tt", "var", "listing":
		return true
	}
	return false
}

// isRawTag names the elements whose content the tokenizer returns as one
// raw text token.
func isRawTag(name string) bool {
	switch name {
	case "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext":
		return true
	}
	return false
}

// isWordByte accepts letters, digits and any byte of a multi-byte rune:
// an inserted word then sits between two words, never next to markup,
// punctuation or an entity.
// inReference reports whether the word that ends b is the name or number
// of a character reference without its semicolon ("&#10", "&amp"): it
// stands for other text, such as a newline the parser may drop.
func inReference(b []byte) bool {
	i := len(b)
	for i > 0 && isWordByte(b[i-1]) {
		i--
	}
	if i > 0 && b[i-1] == '#' {
		i--
	}
	return i > 0 && b[i-1] == '&'
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
}

// markdownPoints is htmlPoints for the Markdown of PostHistory.xml: it
// skips fenced and indented code blocks, inline code spans and HTML lines.
func markdownPoints(s string) []int {
	var at []int
	fenced := false
	for start := 0; start < len(s) && len(at) < maxPoints; {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		line := strings.TrimRight(s[start:end], "\r")
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			fenced = !fenced
		case fenced, strings.HasPrefix(line, "    "), strings.HasPrefix(line, "\t"), strings.HasPrefix(trimmed, "<"):
		default:
			inCode := false
			for i := 0; i+1 < len(line) && len(at) < maxPoints; i++ {
				switch {
				case line[i] == '`':
					inCode = !inCode
				case line[i] == ' ' && !inCode && i > 0 && isWordByte(line[i-1]) && isWordByte(line[i+1]):
					at = append(at, start+i)
				}
			}
		}
		start = end + 1
	}
	return at
}

// syllables build pronounceable made-up words, so that generated text
// looks like text to a converter and never collides with real words' slugs.
var syllables = [...]string{"ka", "lo", "mi", "ren", "to", "vu", "sa", "dri", "ne", "po", "lu", "zan", "fe", "qui", "bor", "tal", "mes", "vin", "ga", "rho"}

// word returns a generated word, or a number about one time in four.
func word(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return strconv.Itoa(2 + r.IntN(9998))
	}
	return name(r)
}

// name returns a generated word of letters only.
func name(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return b.String()
}

// sentence returns a few generated words.
func sentence(r *rand.Rand) string {
	n := 4 + r.IntN(6)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = word(r)
	}
	return strings.Join(ws, " ")
}

// appendXMLAttr escapes s for a double-quoted attribute value the way the
// Stack Exchange dumps do: &amp; &lt; &gt; &quot; and character references
// for newline, carriage return and tab.
func appendXMLAttr(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		case '\t':
			esc = "&#x9;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// appendJSONText escapes s for the inside of a JSON string. HTML
// characters are left alone (unlike encoding/json's default), as a script
// writing the interchange format usually does.
func appendJSONText(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[last:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		last = i + 1
	}
	return append(b, s[last:]...)
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONText(b, s)
	return append(b, '"')
}

// appendHTMLText escapes text for an HTML element's content.
func appendHTMLText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
