package convert

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// MaxSlug is the longest slug in bytes: well under every file system's
// limit for one path component, with room for a uniqueness suffix.
const MaxSlug = 80

// reserved are names Windows cannot check out, whatever the extension.
var reserved = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true}

// Slug turns a title into lowercase ASCII `a-z0-9-`, transliterating other
// scripts, at most MaxSlug bytes, cut at a word boundary. It returns "" when
// nothing of the title can be spelled in ASCII; callers then fall back to an
// id-based name.
func Slug(title string) string {
	if japaneseWithKanji(title) {
		// unidecode reads kanji the Chinese way (東京 becomes dong-jing): an
		// id-based name is better than a wrong reading.
		return ""
	}
	s := unidecode.Unidecode(norm.NFC.String(title))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	slug := b.String()
	if len(slug) > MaxSlug {
		slug = slug[:MaxSlug]
		if i := strings.LastIndexByte(slug, '-'); i > MaxSlug/2 {
			slug = slug[:i]
		}
		slug = strings.Trim(slug, "-")
	}
	if reserved[slug] {
		slug += "-faq"
	}
	return slug
}

// IDSlug makes a slug from an identifier (a thread id, a source name), for
// titles with nothing to transliterate and for uniqueness suffixes.
func IDSlug(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		s := Slug(p)
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s)
	}
	return b.String()
}

var tagWords = strings.NewReplacer("#", " sharp ", "+", " plus ")

// TagSlug is Slug for a tag, spelling the characters that tell tags apart
// ("c#" and "c++" would both be "c", ".net" would be "net"): `#` is
// "sharp", `+` "plus", a leading `.` "dot". Hugo makes tag pages from such
// slugs, so two tags must not share one.
func TagSlug(tag string) string {
	t := strings.TrimSpace(tag)
	if len(t) > 1 && t[0] == '.' && isAlpha(t[1]) {
		t = "dot " + t[1:]
	}
	t = tagWords.Replace(t)
	return Slug(t)
}

// japaneseWithKanji reports a title with both kana and Han characters.
func japaneseWithKanji(s string) bool {
	var kana, han bool
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana = true
		case unicode.Is(unicode.Han, r):
			han = true
		}
	}
	return kana && han
}
