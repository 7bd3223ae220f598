package redact

import (
	"encoding/base64"
	"encoding/hex"
	"html"
	"strings"
	"unicode/utf8"
)

// A view is a transformed copy of the source with, for each of its bytes, the
// source range it came from, so that hits found in the view map back.
type view struct {
	s      string
	lo, hi []int32 // nil: identity
}

func (v *view) src(a, b int) (int, int) {
	if v.lo == nil {
		return a, b
	}
	return int(v.lo[a]), int(v.hi[b-1])
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// unescapeView drops Markdown backslash escapes: converters write john\_doe
// and ghp\_..., and the detectors must see what a reader sees.
func unescapeView(s string) view {
	first := -1
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\\' && isASCIIPunct(s[i+1]) {
			first = i
			break
		}
	}
	if first < 0 {
		return view{s: s}
	}
	b := make([]byte, 0, len(s))
	lo := make([]int32, 0, len(s))
	hi := make([]int32, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			b = append(b, s[i+1])
			lo = append(lo, int32(i))
			hi = append(hi, int32(i+2))
			i++
			continue
		}
		b = append(b, s[i])
		lo = append(lo, int32(i))
		hi = append(hi, int32(i+1))
	}
	return view{s: string(b), lo: lo, hi: hi}
}

// Encodings a secret can hide behind; a hit that needed one is held.
const (
	encEntity uint8 = 1 << iota
	encPercent
	encUnicode
	encBase64
	encHex
	encSplit
)

func encNames(m uint8) string {
	var n []string
	for i, name := range []string{"HTML entity", "percent", "unicode escape", "base64", "hex", "markup split"} {
		if m&(1<<i) != 0 {
			n = append(n, name)
		}
	}
	return strings.Join(n, "+")
}

// decoded is one line after decoding, with per-byte source ranges relative
// to the line and the encodings each byte went through.
type decoded struct {
	b      []byte
	lo, hi []int32
	enc    []uint8
}

func (d *decoded) emit(s string, lo, hi int, enc uint8) {
	for i := 0; i < len(s); i++ {
		d.b = append(d.b, s[i])
		d.lo = append(d.lo, int32(lo))
		d.hi = append(d.hi, int32(hi))
		d.enc = append(d.enc, enc)
	}
}

func isTokenChar(c byte) bool {
	return isAlnum(c) || c == '+' || c == '/' || c == '_' || c == '-'
}

func isWordChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0x7f {
			return false
		}
	}
	return true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case isDigit(c):
		return c - '0', true
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return c | 0x20 - 'a' + 10, true
	}
	return 0, false
}

// decodeToken tries base64 (standard and URL alphabets) then hex on a long
// token and returns printable text only: random identifiers decode to binary.
func decodeToken(tok string) (string, uint8) {
	body := strings.TrimRight(tok, "=")
	if len(body) >= 32 && len(body)%2 == 0 {
		if b, err := hex.DecodeString(body); err == nil && printable(b) && strings.IndexFunc(body, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
			return string(b), encHex
		}
	}
	// Base64 of text mixes cases; snake_case, kebab-case and lowercase
	// paths, the bulk of long tokens in code, never need a try.
	if !strings.ContainsAny(body, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(body, "abcdefghijklmnopqrstuvwxyz") {
		return "", 0
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(body); err == nil && len(b) >= 8 && printable(b) {
			return string(b), encBase64
		}
	}
	return "", 0
}

// decodeLine decodes entities, percent and unicode escapes, base64 and hex
// tokens, and joins words split by inline code markup, in one left-to-right
// pass. It returns false, having built nothing, when nothing was decoded.
func decodeLine(line string, d *decoded) bool {
	d.b, d.lo, d.hi, d.enc = d.b[:0], d.lo[:0], d.hi[:0], d.enc[:0]
	copied := 0 // line[copied:i] is unchanged and not yet in d
	changed := false
	flush := func(i int) {
		for k := copied; k < i; k++ {
			d.b = append(d.b, line[k])
			d.lo = append(d.lo, int32(k))
			d.hi = append(d.hi, int32(k+1))
			d.enc = append(d.enc, 0)
		}
		copied = i
	}
	put := func(i, j int, dec string, enc uint8) {
		flush(i)
		d.emit(dec, i, j, enc)
		copied = j
		changed = true
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == '&':
			if j := strings.IndexByte(line[i:min(len(line), i+12)], ';'); j > 1 {
				ent := line[i : i+j+1]
				if dec := html.UnescapeString(ent); dec != ent {
					put(i, i+j+1, dec, encEntity)
					i += j + 1
					continue
				}
			}
		case c == '%' && i+2 < len(line):
			h1, ok1 := hexVal(line[i+1])
			h2, ok2 := hexVal(line[i+2])
			if v := h1<<4 | h2; ok1 && ok2 && v >= 0x20 && v < 0x7f {
				put(i, i+3, string(rune(v)), encPercent)
				i += 3
				continue
			}
		case (c == '\\' && i+1 < len(line) && line[i+1]|0x20 == 'u') || (c == 'U' && i+1 < len(line) && line[i+1] == '+'):
			if i+6 <= len(line) {
				var v rune
				ok := true
				for k := i + 2; k < i+6; k++ {
					h, hok := hexVal(line[k])
					ok = ok && hok
					v = v<<4 | rune(h)
				}
				if ok && utf8.ValidRune(v) && v >= 0x20 {
					put(i, i+6, string(v), encUnicode)
					i += 6
					continue
				}
			}
		case c == '`' && i > 0 && isWordChar(line[i-1]):
			j := i
			for j < len(line) && line[j] == '`' {
				j++
			}
			if j < len(line) && isWordChar(line[j]) {
				// word`code`word: the reader sees one word. The bytes on both
				// sides carry the mark so a hit across the join is "decoded".
				flush(i)
				if n := len(d.b); n > 0 {
					d.enc[n-1] |= encSplit
					d.hi[n-1] = int32(j)
				}
				copied = j
				changed = true
				d.emit(line[j:j+1], j, j+1, encSplit)
				copied = j + 1
				i = j + 1
				continue
			}
		case isTokenChar(c) && (i == 0 || !isTokenChar(line[i-1])):
			j := i
			for j < len(line) && isTokenChar(line[j]) {
				j++
			}
			for j < len(line) && j-i < 1024 && line[j] == '=' {
				j++
			}
			if j-i >= 16 {
				if dec, enc := decodeToken(line[i:j]); enc != 0 {
					put(i, j, dec, enc)
				}
			}
			i = j
			continue
		}
		i++
	}
	if changed {
		flush(len(line))
	}
	return changed
}
