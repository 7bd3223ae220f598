package forum

import (
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\r\nb", "a\nb"},
		{"tab\tok", "tab\tok"},
		{"bell\x07x", "bellx"},
		{"esc\x1b[2Jx", "esc[2Jx"},
		{"c1\u0085x", "c1x"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"é ü 中文", "é ü 中文"},
		{"« guillemets\u00a0» 20\u00b0", "« guillemets\u00a0» 20\u00b0"}, // 0xc2 text, kept
		{"c1 first\u0080 last\u009f", "c1 first last"},
		{"ends in \xc2", "ends in \uFFFD"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCleanText holds the fast path (a clean string returned as is) to the
// rule: no C0 or C1 control but tab and newline, valid UTF-8, and a
// clean string is left unchanged.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"plain", "a\r\nb", "c1\u0085x", "« »\u00a0", "bad\xff", "\xc2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("CleanText(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("CleanText(%q) = %q keeps control %U", s, out, r)
			}
		}
		if again := CleanText(out); again != out {
			t.Fatalf("CleanText is not idempotent on %q: %q then %q", s, out, again)
		}
	})
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  How\n---\nevil: true  ", "How --- evil: true"},
		{"Bidi \u202etxt.exe and zero\u200bwidth", "Bidi txt.exe and zerowidth"},
		{"isolate \u2066x\u2069 bom\ufeff", "isolate x bom"},
		{"emoji 👩\u200d💻 and فارسی\u200cها", "emoji 👩\u200d💻 and فارسی\u200cها"},
		{"ansi \x1b[2J", "ansi [2J"},
	}
	for _, tt := range tests {
		if got := OneLine(tt.in); got != tt.want {
			t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFallbackAuthor(t *testing.T) {
	if FallbackAuthor("") != "deleted user" || FallbackAuthor("12") != "user 12" {
		t.Error("fallback author changed")
	}
}
