package convert

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlug(t *testing.T) {
	tests := []struct{ title, want string }{
		{"How should I store whole bean coffee?", "how-should-i-store-whole-bean-coffee"},
		{"  Leading and trailing  ", "leading-and-trailing"},
		{"C# vs .NET: what's the difference?", "c-vs-net-what-s-the-difference"},
		{"Café crème à la française", "cafe-creme-a-la-francaise"},
		{"Ελληνικά", "ellenika"},
		{"Привет мир", "privet-mir"},
		{"../../etc/passwd", "etc-passwd"},
		{"CON", "con-faq"},
		{"nul", "nul-faq"},
		{"🙂🙂", ""},
		{"", ""},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := Slug(tt.title); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestSlugLong(t *testing.T) {
	title := strings.Repeat("word ", 40)
	got := Slug(title)
	if len(got) > MaxSlug || strings.HasSuffix(got, "-") || !strings.HasPrefix(got, "word-word") {
		t.Errorf("long slug = %q (%d bytes)", got, len(got))
	}
	if got := Slug(strings.Repeat("x", 200)); len(got) != MaxSlug {
		t.Errorf("unbroken long slug has %d bytes", len(got))
	}
}

func TestIDSlug(t *testing.T) {
	if got := IDSlug("discourse", "3785"); got != "discourse-3785" {
		t.Errorf("IDSlug = %q", got)
	}
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"How to fix it?", "Ελληνικά", "../x", "CON", "a\u202eb", "مرحبا بالعالم", "C:\\x", strings.Repeat("é", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		s := Slug(title)
		if s != Slug(title) {
			t.Fatal("not deterministic")
		}
		if s == "" {
			return
		}
		if !slugRE.MatchString(s) || len(s) > MaxSlug+4 || !utf8.ValidString(s) {
			t.Fatalf("Slug(%q) = %q", title, s)
		}
		if reserved[s] {
			t.Fatalf("reserved name %q", s)
		}
	})
}
