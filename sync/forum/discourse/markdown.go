package discourse

import (
	"regexp"
	"strings"
)

var (
	// ![name|690x381, 50%](upload://...) : Discourse keeps the display size
	// in the alt text.
	mdImageSize = regexp.MustCompile(`(!\[[^\]\n]*?)\|\d+x\d+(?:,\s*\d+%)?(\]\()`)
	mdUpload    = regexp.MustCompile(`upload://[A-Za-z0-9][A-Za-z0-9._-]*`)
	mdLinkDest  = regexp.MustCompile(`(\]\(\s*<?)([^)\s>]+)`)
	mdHTMLAttr  = regexp.MustCompile(`(?i)(\b(?:href|src)\s*=\s*["'])([^"'\s]+)`)
	mdRefDef    = regexp.MustCompile(`^(\s{0,3}\[[^\]]+\]:\s*<?)(\S+?)(>?(?:\s.*)?)$`)
	mdFence     = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	mdQuoteOpen = regexp.MustCompile(`(?i)^ {0,3}\[quote(?:=([^\]]*))?\]\s*$`)
	mdQuoteEnd  = regexp.MustCompile(`(?i)^ {0,3}\[/quote\]\s*$`)
	// BBCode that Discourse renders but Markdown does not know.
	mdBBCode = regexp.MustCompile(`(?i)\[\*\]|\[/?(?:code|img|url|email|b|i|u|s|ul|ol|li|list|size|color|spoiler|details|center|left|right|youtube|video|font|sup|sub|poll|date|wrap|table|hide|blur|quote)(?:[=\s][^\]\n]*)?\]`)
)

// RewriteMarkdown makes a Discourse post's raw Markdown stand on its own:
// upload:// and site-relative links become absolute on site, the display
// size leaves image alt texts, and [quote="user, post:n, topic:m"] blocks
// become Markdown blockquotes whose first line is the quoted user's name.
// Code (fenced, indented, inline) is never touched. Without a site,
// upload:// and relative links stay as they are.
func RewriteMarkdown(md, site string) string {
	out, _ := rewriteMarkdown(md, site)
	return out
}

// rewriteMarkdown is RewriteMarkdown that also reports BBCode outside code
// (other than own-line quotes), which only Discourse's renderer knows.
func rewriteMarkdown(md, site string) (string, bool) {
	bbcode := false
	site = strings.TrimRight(site, "/")
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	var (
		fenceChar  byte
		fenceLen   int
		depth      int // open [quote] blocks
		indentCode bool
		prevBlank  = true
	)
	emit := func(s string) {
		prefix := strings.Repeat("> ", depth)
		if s == "" {
			prefix = strings.TrimRight(prefix, " ")
		}
		out = append(out, prefix+s)
	}
	for _, line := range lines {
		cr := strings.HasSuffix(line, "\r")
		text := strings.TrimSuffix(line, "\r")
		blank := strings.TrimSpace(text) == ""
		switch {
		case fenceLen > 0:
			if closesFence(text, fenceChar, fenceLen) {
				fenceLen = 0
			}
			emit(line)
		case opensFence(text, &fenceChar, &fenceLen):
			emit(line)
		case indentCode && (blank || indentWidth(text) >= 4), !blank && prevBlank && indentWidth(text) >= 4:
			indentCode = true
			emit(line)
		case mdQuoteOpen.MatchString(text):
			indentCode = false
			name := quoteName(mdQuoteOpen.FindStringSubmatch(text)[1])
			depth++
			if name != "" {
				emit(name + ":")
				emit("")
			}
		case depth > 0 && mdQuoteEnd.MatchString(text):
			depth--
			emit("") // ends the quote, so the next line is not a lazy continuation
		default:
			indentCode = false
			s, bb := rewriteLine(text, site)
			bbcode = bbcode || bb
			if cr {
				s += "\r"
			}
			emit(s)
		}
		prevBlank = blank
	}
	return strings.Join(out, "\n"), bbcode
}

// opensFence reports whether line opens a fenced code block and records
// the fence. A backtick fence's info string cannot hold a backtick.
func opensFence(line string, c *byte, n *int) bool {
	m := mdFence.FindStringSubmatch(line)
	if m == nil {
		return false
	}
	if m[1][0] == '`' && strings.Contains(line[len(m[0]):], "`") {
		return false
	}
	*c, *n = m[1][0], len(m[1])
	return true
}

// closesFence reports whether line closes a fence of at least n chars c.
func closesFence(line string, c byte, n int) bool {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 {
		return false
	}
	k := 0
	for k < len(s) && s[k] == c {
		k++
	}
	return k >= n && strings.TrimSpace(s[k:]) == ""
}

func indentWidth(s string) int {
	w := 0
	for _, r := range s {
		switch r {
		case ' ':
			w++
		case '\t':
			w += 4 - w%4
		default:
			return w
		}
	}
	return w
}

// quoteName reads the user from a quote attribution: "name, post:4, topic:6".
func quoteName(attr string) string {
	attr = strings.Trim(strings.TrimSpace(attr), `"'`)
	name, _, _ := strings.Cut(attr, ",")
	name = strings.TrimSpace(name)
	if strings.Contains(name, ":") {
		return "" // no name, only post:/topic: parts
	}
	return name
}

// rewriteLine rewrites links in one line of Markdown text, skipping code
// spans, and reports BBCode outside them.
func rewriteLine(line, site string) (string, bool) {
	if m := mdRefDef.FindStringSubmatch(line); m != nil {
		return m[1] + absURL(m[2], site) + m[3], false
	}
	bbcode := false
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			j := strings.IndexByte(line[i:], '`')
			if j < 0 {
				j = len(line) - i
			}
			seg := line[i : i+j]
			bbcode = bbcode || hasBBCode(seg)
			b.WriteString(rewriteText(seg, site))
			i += j
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		end := closingTicks(line, i+n, n)
		if end < 0 {
			b.WriteString(line[i : i+n]) // literal backticks
			i += n
			continue
		}
		b.WriteString(line[i : end+n]) // a code span, untouched
		i = end + n
	}
	return b.String(), bbcode
}

// closingTicks finds the next run of exactly n backticks at or after i.
func closingTicks(s string, i, n int) int {
	for i < len(s) {
		j := strings.IndexByte(s[i:], '`')
		if j < 0 {
			return -1
		}
		j += i
		k := j
		for k < len(s) && s[k] == '`' {
			k++
		}
		if k-j == n {
			return j
		}
		i = k
	}
	return -1
}

// hasBBCode finds a BBCode tag that is not the text of a Markdown link
// ("[b](url)", "[i][ref]").
func hasBBCode(s string) bool {
	for _, m := range mdBBCode.FindAllStringIndex(s, -1) {
		if m[1] >= len(s) || (s[m[1]] != '(' && s[m[1]] != '[') {
			return true
		}
	}
	return false
}

func rewriteText(s, site string) string {
	s = mdImageSize.ReplaceAllString(s, "$1$2")
	if site != "" {
		s = mdUpload.ReplaceAllStringFunc(s, func(u string) string { return absURL(u, site) })
	}
	s = mdLinkDest.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLinkDest.FindStringSubmatch(m)
		return sub[1] + absURL(sub[2], site)
	})
	return mdHTMLAttr.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdHTMLAttr.FindStringSubmatch(m)
		return sub[1] + absURL(sub[2], site)
	})
}

// absURL makes a link from a post absolute on site: upload://name becomes
// the short-url route, /path and //host/path are resolved. Anything else is
// returned as is. Without a site only //host/path changes (to https).
func absURL(u, site string) string {
	scheme := "https:"
	if strings.HasPrefix(site, "http://") {
		scheme = "http:"
	}
	switch {
	case strings.HasPrefix(u, "upload://"):
		if site == "" {
			return u
		}
		return sitePath(site, "/uploads/short-url/"+strings.TrimPrefix(u, "upload://"))
	case strings.HasPrefix(u, "//"):
		return scheme + u
	case strings.HasPrefix(u, "/"):
		if site == "" {
			return u
		}
		return sitePath(site, u)
	}
	return u
}

// sitePath joins site and a root-relative path. A forum installed in a
// subfolder (https://host/forum) already writes /forum/t/... in its links.
func sitePath(site, p string) string {
	rest := site
	if i := strings.Index(site, "://"); i >= 0 {
		rest = site[i+3:]
	}
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		sub := rest[j:]
		if p == sub || strings.HasPrefix(p, sub+"/") {
			return site[:len(site)-len(sub)] + p
		}
	}
	return site + p
}
