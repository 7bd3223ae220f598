package templates

import (
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// appendYAML writes a front matter node the way encodeNode (yaml.v3, indent
// 2) writes it, for the shapes node() builds: a block mapping of string
// keys to strings, booleans, lists of strings and one-level mappings. It
// reports false when a value needs yaml.v3's own judgement (a plain string
// its emitter might quote, a comment, an anchor, another shape); the caller
// then uses encodeNode. yaml.v3's emitter took 2.2 s of a 100,000-article
// sync's 58 s of CPU. TestAppendYAML and FuzzAppendYAML hold the two to the
// same bytes.
func appendYAML(b []byte, n *yaml.Node) ([]byte, bool) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return b, false
	}
	return appendMapping(b, n, 0)
}

func appendMapping(b []byte, n *yaml.Node, indent int) ([]byte, bool) {
	if n.Style != 0 || decorated(n) || len(n.Content)%2 != 0 || len(n.Content) == 0 {
		return b, false
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Style != 0 || decorated(k) || !plainString(k.Value) ||
			len(k.Value) > 128 { // yaml.v3 writes a longer key as an explicit "? key"
			return b, false
		}
		b = appendSpaces(b, indent)
		b = append(b, k.Value...)
		b = append(b, ':')
		var ok bool
		switch v.Kind {
		case yaml.ScalarNode:
			b = append(b, ' ')
			if b, ok = appendScalar(b, v); !ok {
				return b, false
			}
			b = append(b, '\n')
		case yaml.SequenceNode:
			if decorated(v) {
				return b, false
			}
			if len(v.Content) == 0 {
				if v.Style != yaml.FlowStyle {
					return b, false
				}
				b = append(b, " []\n"...)
				continue
			}
			if v.Style != 0 {
				return b, false
			}
			b = append(b, '\n')
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode {
					return b, false
				}
				b = appendSpaces(b, indent+2)
				b = append(b, "- "...)
				if b, ok = appendScalar(b, item); !ok {
					return b, false
				}
				b = append(b, '\n')
			}
		case yaml.MappingNode:
			b = append(b, '\n')
			if b, ok = appendMapping(b, v, indent+2); !ok {
				return b, false
			}
		default:
			return b, false
		}
	}
	return b, true
}

func decorated(n *yaml.Node) bool {
	return n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != ""
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

func appendScalar(b []byte, n *yaml.Node) ([]byte, bool) {
	if decorated(n) {
		return b, false
	}
	switch {
	case n.Tag == "!!bool" && n.Style == 0 && (n.Value == "true" || n.Value == "false"):
		return append(b, n.Value...), true
	case n.Tag != "!!str":
		return b, false
	case n.Style == 0 && plainString(n.Value):
		return append(b, n.Value...), true
	case n.Style == yaml.DoubleQuotedStyle && utf8.ValidString(n.Value) &&
		(len(n.Value) < 3 || n.Value[:3] != "\uFEFF"): // yaml.v3 escapes every character of a string that starts with a BOM
		return appendDoubleQuoted(b, n.Value), true
	}
	return b, false
}

// plainString reports whether yaml.v3 writes s, a string scalar with no
// style, as it is: s reads back as a string (it starts with a letter and is
// no boolean or null), and its emitter allows a plain scalar in block
// context (no leading or trailing space, no line break, tab or
// non-printable character, no ": " or " #"). Anything else is left to
// yaml.v3.
func plainString(s string) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return false
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80) {
		return false
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return false
		case c == '#' && s[i-1] == ' ': // i > 0: s starts with a letter
			return false
		case c >= 0x20 && c <= 0x7e:
			i++
			continue
		}
		_, w, ok := verbatimAt(s, i)
		if !ok {
			return false
		}
		i += w
	}
	return true
}

// verbatimAt decodes the character at s[i] and reports whether yaml.v3
// writes it as it is, in a plain or a double-quoted scalar: when it is
// printable (is_printable) and no line break (is_break). Tab, the C0 and C1
// controls (CR, LF and NEL among them), surrogates, U+FEFF, U+FFFE, U+FFFF,
// everything above U+FFFF, LS and PS are not.
func verbatimAt(s string, i int) (r rune, w int, ok bool) {
	r, w = utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && w <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xA0,
		r >= 0xD800 && r < 0xE000, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF, r > 0xFFFF,
		r == 0x2028, r == 0x2029:
		return r, w, false
	}
	return r, w, true
}

// yamlEscapes are yaml.v3's short escapes in a double-quoted scalar; other
// characters it escapes become \xXX, \uXXXX or \UXXXXXXXX.
var yamlEscapes = map[rune]byte{0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0A: 'n', 0x0B: 'v', 0x0C: 'f',
	0x0D: 'r', 0x1B: 'e', '"': '"', '\\': '\\', 0x85: 'N', 0x2028: 'L', 0x2029: 'P'}

// appendDoubleQuoted is yaml.v3's double-quoted scalar with no line width:
// the characters it escapes, and its escapes.
func appendDoubleQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		r, w, ok := verbatimAt(s, i)
		i += w
		if ok && c != '"' && c != '\\' {
			b = append(b, s[i-w:i]...)
			continue
		}
		b = append(b, '\\')
		if e, short := yamlEscapes[r]; short {
			b = append(b, e)
			continue
		}
		digits := 8
		switch {
		case r <= 0xFF:
			b, digits = append(b, 'x'), 2
		case r <= 0xFFFF:
			b, digits = append(b, 'u'), 4
		default:
			b = append(b, 'U')
		}
		for k := (digits - 1) * 4; k >= 0; k -= 4 {
			b = append(b, "0123456789ABCDEF"[(r>>uint(k))&0xF])
		}
	}
	return append(b, '"')
}
