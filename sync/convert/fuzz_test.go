package convert

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkOutput holds the invariants every converted body must meet: valid
// UTF-8 without C0/C1 controls, accepted by Check (a bidi control may only
// remain in code, and only when the input had one), and a fixed point of
// the Markdown path (converting the output again changes nothing).
func checkOutput(t *testing.T, c *Converter, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 in %q", out)
	}
	for i := 0; i < len(out); i++ {
		if controlAt(out, i) > 0 {
			t.Fatalf("control character at %d in %q", i, out)
		}
	}
	if err := c.Check([]byte(out)); err != nil {
		if !errors.Is(err, ErrBidi) || !hasBidi(in) {
			t.Fatalf("Check: %v\ninput %q\noutput %q", err, in, out)
		}
	}
	again, err := c.Markdown(out, "https://forum.example")
	if err != nil {
		t.Fatalf("converting the output again: %v\n%q", err, out)
	}
	if again != out {
		t.Fatalf("not idempotent:\ninput  %q\nfirst  %q\nsecond %q", in, out, again)
	}
}

func hasBidi(s string) bool {
	for _, r := range s {
		if bidiControl(r) {
			return true
		}
	}
	// Entities and percent-escapes can spell one too.
	return strings.Contains(s, "&#") || strings.Contains(s, "%E2")
}

var fuzzHTMLSeeds = []string{
	"<p>Hello <b>world</b></p>",
	"<pre><code class=\"lang-go\">func main() {\n\tfmt.Println(\"```\")\n}\n</code></pre>",
	"<blockquote><p>q</p><pre><code>a\nb</code></pre></blockquote>",
	"<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol><li>x</li></ol>",
	"<table><tr><th>a</th><th>b</th></tr><tr><td>1|2</td><td><code>x</code></td></tr></table>",
	"<a href=\"javascript:alert(1)\">x</a> <a href=\"//evil.example\">y</a> <img src=\"x?token=1\" alt=\"a\">",
	"<p>&lt;script&gt; &amp;nbsp; * _ ` [ ] \\ # 1. - + ~~ {{< x >}}</p>",
	"<p>a<br>1. b<br>- c<br>&gt; d</p>",
	"text \u202e\u200b\ufeff<code>\u202e</code>",
	"<details open ontoggle=alert(1)><summary>s</summary>x</details>",
	"<p><sup> <sup>1</sup>. x</sup></p>",
}

func FuzzHTML(f *testing.F) {
	for _, s := range fuzzHTMLSeeds {
		f.Add(s)
	}
	for _, v := range owaspVectors {
		f.Add(v.html)
	}
	c := New()
	f.Fuzz(func(t *testing.T, in string) {
		out, err := c.HTML(in, "https://forum.example")
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatalf("HTML(%q): %v", in, err)
		}
		checkOutput(t, c, in, out)
		assertSafeHTML(t, "fuzz", renderUnsafe(t, out), false)
	})
}

var fuzzMarkdownSeeds = []string{
	"# Title\n\nSome *text* with `code` and [a link](https://x.example).\n",
	"<!-- language: lang-js -->\n\n    var x = 1;\n",
	"[x](javascript&colon;alert(1)) [r] <javascript:alert(1)> ![](data:image/svg+xml,<svg onload=alert(1)>)\n\n[r]: javascript:alert(1)\n",
	"<div onclick=x>\n*md*\n</div>\n\n<img src=x onerror=alert(1)> <iframe src=x></iframe> <script>alert(1)</script>\n",
	"a<br>b <kbd>Ctrl</kbd> <a href=\"https://x.example\">l</a> <del>old</del> _x_<sup>1</sup>\n",
	"> quote <b>x</b>\n> <div>\n> y\n> </div>\n",
	"- item <span>1. x</span>\n\n  <pre>code</pre>\n",
	"| a | b<br>c |\n|---|---|\n| 1 | 2 |\n",
	"pass\u200bword \u202eevil `co\u202ede`\n",
	"ftp://x.example/y and www.x.example/?token=1 and <http://u:p@x.example/>\n",
	"[a]: <https://x.example/?sig=1> \"t\"\n\n[b][a]\n",
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range fuzzMarkdownSeeds {
		f.Add(s)
	}
	c := New()
	f.Fuzz(func(t *testing.T, in string) {
		out, err := c.Markdown(in, "https://forum.example")
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatalf("Markdown(%q): %v", in, err)
		}
		checkOutput(t, c, in, out)
		assertSafeHTML(t, "fuzz", renderUnsafe(t, out), false)
	})
}
