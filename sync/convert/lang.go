package convert

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
	"golang.org/x/text/language"
)

// langParams are the thresholds of DetectLang, together so that the tests
// can show why each value was chosen (lang_test.go measures them on the
// corpus).
type langParams struct {
	minTotal   int     // weighted letters of prose below which a text is too short to tell
	unitTarget int     // a unit closes at the first sentence or line end past this many letters
	unitMax    int     // or at the first word past this many
	minUnit    int     // units shorter than this get no verdict of their own
	maxUnits   int     // units given to the detector, spread over the text (about 0.2 ms each)
	minConf    float64 // detector confidence for a unit's verdict to count
	maxOther   float64 // share of the counted letters that may be in another language
	minCounted float64 // share of the looked-at letters that must have a verdict
	maxScan    int     // bytes of text read: enough for any article's language
}

var defaultLangParams = langParams{
	minTotal:   100,
	unitTarget: 50,
	unitMax:    300,
	minUnit:    30,
	maxUnits:   6,
	minConf:    0.8,
	maxOther:   0.1,
	minCounted: 0.5,
	maxScan:    64 << 10,
}

// DetectLang returns the BCP 47 tag ("en", "fr", "ko", "zh", "ur", "tl"...)
// of the language an article is written in, from its plain or Markdown
// text (title, question and answer), with ok only when that is reliable:
// not for texts under about 100 letters, nor for texts where a second
// language holds a share of the text (a post with its translation, a
// quoted passage in another language), nor when the detector hesitates.
// Code blocks, code spans, link destinations, URLs and identifiers are
// not read.
//
// The detector (github.com/abadojack/whatlanggo, trigram profiles) costs
// about 0.2 ms a call whatever the length, so the text is cut into
// sentence-sized units and only the longest unit of each sixth of the text
// is detected: a second language in one block of a third of the text is
// always seen, a smaller block usually (each of the 31 bilingual threads
// of the French corpus but one); when it is missed, the text is labelled
// with the language of the rest, which then fills most of it.
func DetectLang(text string) (tag string, ok bool) {
	return detectLang(text, defaultLangParams)
}

func detectLang(text string, p langParams) (string, bool) {
	if len(text) > p.maxScan {
		n := p.maxScan
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	units, total := langUnits(text, p)
	if total < p.minTotal {
		return "", false
	}
	var eligible []langUnit
	for _, u := range units {
		if u.letters >= p.minUnit {
			eligible = append(eligible, u)
		}
	}
	if len(eligible) == 0 {
		return "", false
	}
	votes := map[whatlanggo.Lang]int{}
	looked, counted := 0, 0
	sample := spread(eligible, p.maxUnits)
	for _, u := range sample {
		looked += u.letters
		info := whatlanggo.Detect(u.text)
		if info.Lang < 0 || info.Confidence < p.minConf {
			continue
		}
		votes[info.Lang] += u.letters
		counted += u.letters
	}
	best, base := whatlanggo.Lang(-1), counted
	for l, n := range votes {
		if n > votes[best] || n == votes[best] && l < best {
			best = l
		}
	}
	if float64(counted) < p.minCounted*float64(looked) {
		// Close languages (Russian and Ukrainian, Tagalog and Cebuano) are
		// seldom told apart with confidence in a sentence: read the
		// sampled units together, then check that none of them is surely
		// in another language.
		var b strings.Builder
		for _, u := range sample {
			b.WriteString(u.text)
		}
		info := whatlanggo.Detect(b.String())
		if info.Lang < 0 || info.Confidence < p.minConf {
			return "", false
		}
		best, base = info.Lang, looked
	}
	if float64(counted-votes[best]) > p.maxOther*float64(base) {
		return "", false
	}
	return langTag(best), true
}

// langTag is the shortest BCP 47 tag: ISO 639-1 where there is one, the
// macrolanguage for Iranian Persian ("pes" is "fa") and Yiddish, else ISO
// 639-3.
func langTag(l whatlanggo.Lang) string {
	if t := l.Iso6391(); t != "" {
		return t
	}
	t, err := language.Macro.Canonicalize(language.Make(l.Iso6393()))
	if err != nil {
		return l.Iso6393()
	}
	return t.String()
}

// spread cuts the text into n spans of equal letter count and picks the
// longest unit starting in each: a block in another language of 2/n of
// the text holds a whole span, so one of its units is looked at.
func spread(units []langUnit, n int) []langUnit {
	if len(units) <= n {
		return units
	}
	total := 0
	for _, u := range units {
		total += u.letters
	}
	out := make([]langUnit, 0, n)
	at, span := 0, -1
	for _, u := range units {
		s := at * n / total
		at += u.letters
		if s != span {
			out = append(out, u)
			span = s
		} else if u.letters > out[len(out)-1].letters {
			out[len(out)-1] = u
		}
	}
	return out
}

// langUnit is a sentence or a few: the grain at which two languages side by
// side are told apart. text holds only the words of its main script.
type langUnit struct {
	text    string
	letters int
}

// langUnits splits the prose of a Markdown or plain text into units and
// returns them with the weighted letter count of all the prose.
func langUnits(text string, p langParams) ([]langUnit, int) {
	var (
		units []langUnit
		words []string
		total int
		fence string
	)
	closeUnit := func() {
		if len(words) == 0 {
			return
		}
		if u, ok := mainScript(words); ok {
			units = append(units, u)
		}
		words = words[:0]
	}
	letters := 0 // of the open unit, all scripts
	blank, code := true, false
	for line := range strings.Lines(text) {
		t := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		}
		if f := fenceOf(t); f != "" {
			fence = f
			closeUnit()
			letters = 0
			continue
		}
		indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ")
		if t == "" || indented && (blank || code) {
			// An indented line after a blank one starts a code block.
			code = t != "" || code
			blank = t == ""
			if letters >= p.minUnit {
				closeUnit()
				letters = 0
			}
			continue
		}
		blank, code = false, false
		if listOrHeading(t) && letters >= p.minUnit {
			closeUnit()
			letters = 0
		}
		for _, w := range strings.Fields(stripInline(t)) {
			n := wordLetters(w)
			if n == 0 {
				continue
			}
			words = append(words, w)
			letters += n
			total += n
			if letters >= p.unitMax || letters >= p.unitTarget && sentenceEnd(w) {
				closeUnit()
				letters = 0
			}
		}
		if letters >= p.unitTarget {
			closeUnit()
			letters = 0
		}
	}
	closeUnit()
	return units, total
}

func fenceOf(t string) string {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, f) {
			return f
		}
	}
	return ""
}

// listOrHeading reports whether a line starts a list item or a heading: a
// new unit, since list items are often titles in any language.
func listOrHeading(t string) bool {
	if t[0] == '#' || t[0] == '>' {
		return true
	}
	if len(t) > 1 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ' {
		return true
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i > 0 && i < len(t)-1 && (t[i] == '.' || t[i] == ')') && t[i+1] == ' '
}

func sentenceEnd(w string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(w, `"')]*»”’`))
	switch r {
	case '.', '!', '?', ':', ';', '。', '！', '？', '؟', '۔', '\u037e':
		return true
	}
	return false
}

// stripInline drops what is not prose from a line: code spans, link and
// image destinations, autolinks and HTML tags.
func stripInline(t string) string {
	if !strings.ContainsAny(t, "`](<") {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); {
		c := t[i]
		var end string
		switch {
		case c == '`':
			end = "`"
		case c == ']' && i+1 < len(t) && t[i+1] == '(':
			end = ")"
		case c == '<':
			end = ">"
		default:
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.Index(t[i+1:], end)
		if j < 0 {
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteByte(' ')
		i += 1 + j + len(end)
	}
	return b.String()
}

// wordLetters is the weighted letter count of a word of prose, 0 for what
// looks like code, a URL, an address, a number, a file name or an entity.
// A Han, kana or Hangul character weighs two letters: it is a syllable or
// a word, and those scripts need fewer characters to say as much.
func wordLetters(w string) int {
	if strings.ContainsAny(w, "/\\=<>{}|$@#&~^%+") {
		return 0
	}
	// Emphasis and punctuation around a word are not part of it.
	core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
	n := 0
	var prev rune
	for _, r := range core {
		switch {
		case unicode.IsLetter(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				return 0 // camelCase
			}
			n += runeWeight(r)
		case r == '_' || r == '.' || unicode.IsDigit(r):
			return 0 // snake_case, file.name, v2
		}
		prev = r
	}
	return n
}

func runeWeight(r rune) int {
	if r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)) {
		return 2
	}
	return 1
}

// scripts are told apart by mainScript; Han and kana are one, since
// Japanese mixes them. A letter of none of them counts by Unicode block.
var scripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek,
	unicode.Arabic, unicode.Hebrew, unicode.Devanagari, unicode.Hangul, unicode.Han,
	unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Georgian, unicode.Armenian,
	unicode.Bengali, unicode.Ethiopic, unicode.Tamil}

func scriptOf(r rune) int {
	if r < 0x250 {
		return 0 // Latin, the common case
	}
	for i, s := range scripts {
		if unicode.Is(s, r) {
			if s == unicode.Hiragana || s == unicode.Katakana {
				return 7 // Han
			}
			return i
		}
	}
	return 1000 + int(r)>>7
}

// mainScript keeps the words of a unit written in its main script, so that
// an English command in a Korean sentence does not make the detector read
// Korean as English.
func mainScript(words []string) (langUnit, bool) {
	count := map[int]int{}
	scripts := make([]int, len(words))
	for i, w := range words {
		s, n := -1, 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				s = scriptOf(r)
				break
			}
		}
		n = wordLetters(w)
		scripts[i] = s
		count[s] += n
	}
	main, best := -1, 0
	for s, n := range count {
		if n > best || n == best && s < main {
			main, best = s, n
		}
	}
	if best == 0 {
		return langUnit{}, false
	}
	var b strings.Builder
	for i, w := range words {
		if scripts[i] == main && wordLetters(w) > 0 {
			b.WriteString(w)
			b.WriteByte(' ')
		}
	}
	return langUnit{text: b.String(), letters: best}, true
}
