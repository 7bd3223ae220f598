package forge

import (
	"strings"
	"unicode/utf8"
)

// truncNote ends a truncated body so reviewers know the list goes on.
const truncNote = "\n---\n\n_This description was truncated to fit the platform's size limit. " +
	"The full list is in the run's report (`kbsync sync --json`)._\n"

// Truncate returns body if it fits in limit bytes; otherwise it cuts at the
// last line boundary that fits, closes a code fence or <details> block left
// open by the cut, and appends a note. The result is valid UTF-8 (invalid
// bytes become U+FFFD first) and never longer than limit bytes. Bytes are
// counted because no platform counts characters above the UTF-8 length.
func Truncate(body string, limit int) string {
	if limit <= 0 {
		return ""
	}
	body = strings.ToValidUTF8(body, "\uFFFD")
	if len(body) <= limit {
		return body
	}
	if limit <= len(truncNote) {
		return cutBytes(strings.TrimPrefix(truncNote, "\n---\n\n"), limit)
	}

	// One forward pass: for every line end, remember what would be needed
	// to close the blocks open there, and keep the last cut that fits.
	var (
		fence       string // the open fence marker ("```", "~~~~"), or ""
		details     int    // <details> blocks open outside fences
		bestEnd     = -1
		bestFence   string
		bestDetails int
	)
	for pos := 0; pos < len(body); {
		end := strings.IndexByte(body[pos:], '\n')
		if end < 0 {
			break // the last line has no newline; the body is over limit, so it is cut
		}
		line := body[pos : pos+end]
		pos += end + 1
		if pos+len(truncNote) > limit {
			break
		}
		fence, details = scanLine(line, fence, details)
		if pos+closersLen(fence, details)+len(truncNote) <= limit {
			bestEnd, bestFence, bestDetails = pos, fence, details
		}
	}
	if bestEnd < 0 {
		// No whole line fits: cut inside the first line at a rune boundary.
		return cutBytes(body, limit-len(truncNote)) + truncNote
	}
	return body[:bestEnd] + closers(bestFence, bestDetails) + truncNote
}

// scanLine updates the open fence and <details> depth after one line.
func scanLine(line, fence string, details int) (string, int) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) <= 3 {
		if fence == "" {
			if m := fenceMarker(t); m != "" {
				return m, details
			}
		} else if m := fenceMarker(t); m != "" && m[0] == fence[0] && len(m) >= len(fence) &&
			strings.TrimSpace(t[len(m):]) == "" {
			return "", details
		}
	}
	if fence != "" {
		return fence, details
	}
	low := strings.ToLower(line)
	details += strings.Count(low, "<details") - strings.Count(low, "</details>")
	return fence, max(details, 0)
}

// fenceMarker returns the run of ` or ~ (3 or more) that starts t, if any.
func fenceMarker(t string) string {
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return t[:n]
}

const detailsCloser = "\n</details>\n"

func closersLen(fence string, details int) int {
	n := details * len(detailsCloser)
	if fence != "" {
		n += len(fence) + 1
	}
	return n
}

func closers(fence string, details int) string {
	var b strings.Builder
	if fence != "" {
		b.WriteString(fence + "\n")
	}
	for range details {
		b.WriteString(detailsCloser)
	}
	return b.String()
}

// cutBytes returns the longest prefix of s (valid UTF-8) within n bytes.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
