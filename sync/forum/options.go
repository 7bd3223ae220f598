package forum

import (
	"strings"
	"unicode/utf8"
)

// Options are the settings every reader takes.
type Options struct {
	// Site is the forum's public base URL (https://coffee.stackexchange.com),
	// used to build permalinks where the export lacks them. No trailing slash.
	Site string
	// MaxPostBytes caps one post body; a larger body is bad input. Zero means
	// DefaultMaxPostBytes.
	MaxPostBytes int
}

// DefaultMaxPostBytes is the default cap on one post body (4 MiB; the largest
// Stack Overflow post is about 250 KB).
const DefaultMaxPostBytes = 4 << 20

// PostLimit returns the effective per-post cap.
func (o Options) PostLimit() int {
	if o.MaxPostBytes > 0 {
		return o.MaxPostBytes
	}
	return DefaultMaxPostBytes
}

// SiteURL returns Site without a trailing slash.
func (o Options) SiteURL() string { return strings.TrimRight(o.Site, "/") }

// FallbackAuthor is the stable placeholder for a user the export does not
// name: "user 1234" when the id is known, "deleted user" otherwise.
func FallbackAuthor(id string) string {
	if id == "" {
		return "deleted user"
	}
	return "user " + id
}

// CleanText makes a string from an export safe to carry around: invalid
// UTF-8 is replaced and C0/C1 control characters other than tab and newline
// are dropped. Carriage returns are dropped too (CRLF becomes LF).
func CleanText(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		clean := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			// 0xc2 0x80-0x9f are the C1 controls; 0xc2 0xa0-0xbf (no-break
			// space, « », °) are text, common in French.
			if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c == 0xc2 && i+1 < len(s) && s[i+1] < 0xa0) {
				clean = false
				break
			}
		}
		if clean {
			return s
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\t' || r == '\n':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// OneLine collapses all whitespace runs (newlines included) to one space and
// trims: titles, names and tags are single-line values. Bidirectional
// overrides and invisible characters that spoof text (Trojan Source:
// U+202A-U+202E, U+2066-U+2069, U+200B, U+2060, U+FEFF) are removed; joiners
// (U+200C, U+200D), which some scripts and emoji need, are kept.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200b, r == 0x2060, r == 0xfeff:
			return -1
		}
		return r
	}, CleanText(s))
	return strings.Join(strings.Fields(s), " ")
}
