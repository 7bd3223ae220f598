package convert

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// bidiControl reports the bidi embedding, override and isolate controls
// (U+202A-U+202E, U+2066-U+2069) that reorder how text is displayed: the
// Trojan Source characters (CVE-2021-42574).
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// invisible reports the characters removed from published prose: the bidi
// controls, the zero-width space, non-joiner and joiner (U+200B-U+200D) and
// the zero-width no-break space (U+FEFF). They hide or reorder text, and
// split words so that a secret or an address escapes detection.
func invisible(r rune) bool {
	return bidiControl(r) || (r >= 0x200B && r <= 0x200D) || r == 0xFEFF
}

// invisibleAt returns the length of the invisible character encoded at
// s[i:], or 0. All of them take three bytes in UTF-8: E2 80 8B-8D,
// E2 80 AA-AE, E2 81 A6-A9, EF BB BF.
func invisibleAt[T ~string | ~[]byte](s T, i int) int {
	if i+2 >= len(s) {
		return 0
	}
	switch s[i] {
	case 0xE2:
		b1, b2 := s[i+1], s[i+2]
		if (b1 == 0x80 && ((b2 >= 0x8B && b2 <= 0x8D) || (b2 >= 0xAA && b2 <= 0xAE))) ||
			(b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) {
			return 3
		}
	case 0xEF:
		if s[i+1] == 0xBB && s[i+2] == 0xBF {
			return 3
		}
	}
	return 0
}

// hasInvisible is the fast test that lets most bodies skip the rune loop.
func hasInvisible(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] == 0xE2 || s[i] == 0xEF) && invisibleAt(s, i) > 0 {
			return true
		}
	}
	return false
}

// stripInvisible removes every invisible character: for URLs, titles and
// attribute values, where none has a use.
func stripInvisible(s string) string {
	if !hasInvisible(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
}

// dropInvisibleText returns the byte ranges of invisible characters to
// remove from prose. The zero-width non-joiner and joiner are kept between
// two non-ASCII letters, marks or symbols, where scripts (Persian, Indic)
// and emoji sequences need them; between ASCII letters they only split a
// word, so they go.
func dropInvisibleText(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); i++ {
		if s[i] != 0xE2 && s[i] != 0xEF {
			continue
		}
		n := invisibleAt(s, i)
		if n == 0 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(s[i:])
		if (r == 0x200C || r == 0x200D) && joinerNeeded(s, i, i+n) {
			i += n - 1
			continue
		}
		out = append(out, [2]int{i, i + n})
		i += n - 1
	}
	return out
}

func joinerNeeded(s string, start, stop int) bool {
	prev, _ := utf8.DecodeLastRuneInString(s[:start])
	next, _ := utf8.DecodeRuneInString(s[stop:])
	return joins(prev) && joins(next)
}

func joins(r rune) bool {
	return r >= 0x80 && r != utf8.RuneError && !invisible(r) &&
		(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r))
}

// cleanProse removes invisible characters from prose (see dropInvisibleText).
func cleanProse(s string) string {
	drops := dropInvisibleText(s)
	if len(drops) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, d := range drops {
		b.WriteString(s[last:d[0]])
		last = d[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// controlAt reports a C0 or C1 control character (other than tab and
// newline) or DEL at s[i:], with its length.
func controlAt[T ~string | ~[]byte](s T, i int) int {
	c := s[i]
	switch {
	case c < 0x20 && c != '\t' && c != '\n', c == 0x7f:
		return 1
	case c == 0xC2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
		return 2
	}
	return 0
}
