package forum

import "testing"

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
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
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
