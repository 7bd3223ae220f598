package forge

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	table := "| action | title |\n|---|---|\n" + strings.Repeat("| new | How do I descale my espresso machine? |\n", 200)
	fenced := "Summary\n\n```diff\n" + strings.Repeat("+ a changed line of an article\n", 100) + "```\nend\n"
	details := "<details>\n<summary>Diffs</summary>\n\n" + strings.Repeat("a line inside the details block\n", 100) + "</details>\n"
	cases := []struct {
		name      string
		body      string
		limit     int
		whole     bool   // body returned as is
		wantTail  string // text just before the note
		lineBound bool   // the kept text ends at a line boundary of body
	}{
		{name: "short", body: "hello\n", limit: 100, whole: true},
		{name: "exactly the limit", body: strings.Repeat("x", 100), limit: 100, whole: true},
		{name: "table", body: table, limit: 2000, lineBound: true},
		{name: "open fence is closed", body: fenced, limit: 1500, lineBound: true, wantTail: "```\n"},
		{name: "open details is closed", body: details, limit: 1500, lineBound: true, wantTail: "\n</details>\n"},
		{name: "one long line", body: strings.Repeat("é", 5000), limit: 1000},
		{name: "no newline, ascii", body: strings.Repeat("a", 5000), limit: 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Truncate(tc.body, tc.limit)
			if len(got) > tc.limit || !utf8.ValidString(got) {
				t.Fatalf("%d bytes (limit %d), valid UTF-8 %v", len(got), tc.limit, utf8.ValidString(got))
			}
			if tc.whole {
				if got != tc.body {
					t.Errorf("changed a body within the limit")
				}
				return
			}
			kept, ok := strings.CutSuffix(got, truncNote)
			if !ok {
				t.Fatalf("no truncation note in %q", got[max(0, len(got)-200):])
			}
			if tc.wantTail != "" {
				var cut bool
				if kept, cut = strings.CutSuffix(kept, tc.wantTail); !cut {
					t.Errorf("kept text ends %q; want %q", kept[max(0, len(kept)-40):], tc.wantTail)
				}
			}
			if !strings.HasPrefix(tc.body, kept) {
				t.Errorf("kept text is not a prefix of the body")
			}
			if tc.lineBound && (!strings.HasSuffix(kept, "\n") || len(kept) < tc.limit/2) {
				t.Errorf("kept %d bytes ending %q; want whole lines using most of the limit", len(kept), kept[max(0, len(kept)-20):])
			}
		})
	}
}

func TestTruncateEdgeCases(t *testing.T) {
	if got := Truncate("anything", 0); got != "" {
		t.Errorf("limit 0: %q", got)
	}
	if got := Truncate(strings.Repeat("line\n", 100), 20); len(got) > 20 || !utf8.ValidString(got) || got == "" {
		t.Errorf("tiny limit: %q", got)
	}
	bad := "ok\xff\xfe\n" + strings.Repeat("x\n", 10)
	if got := Truncate(bad, 1000); !utf8.ValidString(got) || !strings.Contains(got, "\uFFFD") {
		t.Errorf("invalid UTF-8 kept: %q", got)
	}
	// A closed fence before the cut needs no closer.
	body := "```\ncode\n```\n" + strings.Repeat("plain line\n", 500)
	got, _ := strings.CutSuffix(Truncate(body, 1000), truncNote)
	if strings.Count(got, "```")%2 != 0 || strings.HasSuffix(got, "```\n") {
		t.Errorf("fences unbalanced or a needless closer: %q", got[max(0, len(got)-40):])
	}
}

// closerLine matches the lines Truncate may add to close blocks.
var closerLine = regexp.MustCompile("^(`{3,}|~{3,}|</details>|)$")

func FuzzTruncate(f *testing.F) {
	f.Add("hello\nworld\n", 8)
	f.Add(strings.Repeat("| a | b |\n", 50), 300)
	f.Add("```go\nfunc main() {}\n"+strings.Repeat("x\n", 100), 200)
	f.Add("<details>\n"+strings.Repeat("y\n", 100), 200)
	f.Add(strings.Repeat("日本語", 100), 170)
	f.Add("a\xffb\n\xc3", 3)
	f.Add("", 0)
	f.Add("x", -5)
	f.Fuzz(func(t *testing.T, body string, limit int) {
		got := Truncate(body, limit)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if limit <= 0 {
			if got != "" {
				t.Fatalf("limit %d gave %q", limit, got)
			}
			return
		}
		if len(got) > limit {
			t.Fatalf("%d bytes, limit %d", len(got), limit)
		}
		clean := strings.ToValidUTF8(body, "\uFFFD")
		if len(clean) <= limit {
			if got != clean {
				t.Fatalf("a body within the limit changed")
			}
			return
		}
		if limit <= len(truncNote) {
			return // only part of the note fits
		}
		kept, ok := strings.CutSuffix(got, truncNote)
		if !ok {
			t.Fatalf("no note")
		}
		// kept = a prefix of the body, then only whole lines closing blocks.
		if !prefixThenClosers(clean, kept) {
			t.Fatalf("kept text %q is not a prefix of the body plus block closers", kept)
		}
	})
}

func prefixThenClosers(body, kept string) bool {
	for p := len(kept); p >= 0; p-- {
		if p != len(kept) && p != 0 && kept[p-1] != '\n' {
			continue
		}
		if !strings.HasPrefix(body, kept[:p]) {
			continue
		}
		ok := true
		for _, line := range strings.Split(kept[p:], "\n") {
			ok = ok && closerLine.MatchString(line)
		}
		if ok {
			return true
		}
	}
	return false
}
