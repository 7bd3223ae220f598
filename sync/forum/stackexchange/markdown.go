package stackexchange

import (
	"net/url"
	"regexp"
	"strings"
)

// tagRef is Stack Exchange's own Markdown for a tag: [tag:name] or
// [meta-tag:name].
var tagRef = regexp.MustCompile(`\[(meta-)?tag:([a-z0-9.#+_-]+)\]`)

// TagLinks rewrites Stack Exchange's tag syntax in an author's Markdown to
// an ordinary link to the tag's page on the site, which any Markdown
// renderer shows as the site did. Code (fenced, indented, and code spans) is
// left as written.
func TagLinks(md, site string) string {
	if !strings.Contains(md, "tag:") {
		return md
	}
	lines := strings.SplitAfter(md, "\n")
	fence := ""
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		case strings.HasPrefix(trimmed, "```"), strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
			continue
		case strings.HasPrefix(line, "    "), strings.HasPrefix(line, "\t"):
			continue
		}
		lines[i] = outsideCodeSpans(line, func(s string) string {
			return tagRef.ReplaceAllStringFunc(s, func(m string) string {
				sub := tagRef.FindStringSubmatch(m)
				return "[" + sub[2] + "](" + site + "/questions/tagged/" + url.PathEscape(sub[2]) + ")"
			})
		})
	}
	return strings.Join(lines, "")
}

// outsideCodeSpans applies fn to the parts of a line outside `code spans`.
func outsideCodeSpans(line string, fn func(string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(line, '`')
		if i < 0 {
			b.WriteString(fn(line))
			return b.String()
		}
		b.WriteString(fn(line[:i]))
		n := i
		for n < len(line) && line[n] == '`' {
			n++
		}
		ticks := line[i:n]
		end := strings.Index(line[n:], ticks)
		if end < 0 {
			b.WriteString(line[i:])
			return b.String()
		}
		b.WriteString(line[i : n+end+len(ticks)])
		line = line[n+end+len(ticks):]
	}
}
