package convert

import (
	"errors"
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	c := New()
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>Hello <b>world</b>.</p><p>Two</p>", "Hello **world**.\n\nTwo\n"},
		{"code keeps bytes and language", "<pre class=\"lang-js prettyprint-override\"><code>if (a &lt; b &amp;&amp; c) {\n  x = `y`;\n}\n</code></pre>", "```js\nif (a < b && c) {\n  x = `y`;\n}\n```\n"},
		{"code in quote", "<blockquote><p>q</p><pre><code>a\n  b\n</code></pre></blockquote>", "> q\n> \n> ```\n> a\n>   b\n> ```\n"},
		{"relative link made absolute", "<a href=\"/questions/1\">q</a>", "[q](https://forum.example/questions/1)\n"},
		{"fragment link kept", "<a href=\"#a\">q</a>", "[q](#a)\n"},
		{"markdown characters escaped", "<p>*a* _b_ snake_case `c` [d] \\ # ~~e~~ a|b 3 &lt; 4</p>", "\\*a\\* \\_b\\_ snake_case \\`c\\` \\[d\\] \\\\ # \\~\\~e\\~\\~ a|b 3 &lt; 4\n"},
		{"entity-looking text", "<p>&amp;nbsp; &amp;#169; &amp;copy; AT&amp;T</p>", "\\&nbsp; \\&#169; \\&copy; AT&T\n"},
		{"line starts", "<p>a<br>1. b<br>- c<br>  # d</p><p>+ e</p>", "a  \n1\\. b  \n\\- c  \n\\# d\n\n\\+ e\n"},
		{"line start across elements", "<p><sup>1</sup>. note</p>", "1\\. note\n"},
		{"ordered list start", "<ol start=\"3\"><li>c</li><li>d</li></ol>", "3. c\n4. d\n"},
		{"table", "<table><tr><th>a</th><th>b</th></tr><tr><td>x|y</td><td>2</td></tr></table>", "| a    | b |\n|------|---|\n| x\\|y | 2 |\n"},
		{"alt text kept", "<img src=\"/e/wink.png\" alt=\":wink: &amp; Q&amp;A\" title=\"t: x\">", "![:wink: & Q&A](https://forum.example/e/wink.png \"t: x\")\n"},
		{"unsafe image keeps alt", "<p>see <img src=\"javascript:x\" alt=\"diagram\"> here</p>", "see diagram here\n"},
		{"link without href", "<a name=\"x\">text</a>", "text\n"},
		{"private-use placeholder chars removed", "<p>a\uF002b\uF004c</p>", "abc\n"},
		{"empty", "<p> </p>", ""},
	}
	for _, tt := range tests {
		got, err := c.HTML(tt.in, "https://forum.example")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		checkOutput(t, c, tt.in, got)
	}
}

func TestMarkdown(t *testing.T) {
	c := New()
	tests := []struct{ name, in, want string }{
		{"kept byte for byte", "# T\n\nSome *text*, `code`, [l](https://x.example \"t\").\n\n    indented\n\n> q\n", "# T\n\nSome *text*, `code`, [l](https://x.example \"t\").\n\n    indented\n\n> q\n"},
		{"CRLF", "a\r\nb\r\n", "a\nb\n"},
		// CommonMark reads "<p" and a tab as an HTML block; goldmark reads text.
		{"tag and tab at a line start", "<p\t", "\\<p\n"},
		{"tag and tab in a list", "- </div\tx\n- y\n", "- \\</div\tx\n- y\n"},
		{"tag and tab inside a line", "a <p\tb\n", "a <p\tb\n"},
		{"language hint", "<!-- language: lang-js -->\n\n    var x = 1;\n    f(x);\n\ntext\n", "```js\nvar x = 1;\nf(x);\n```\n\ntext\n"},
		{"language hint on fence", "<!-- language: python -->\n```\nprint(1)\n```\n", "```python\nprint(1)\n```\n"},
		{"language-all", "<!-- language-all: lang-c -->\n\n    a;\n\nx\n\n    b;\n", "```c\na;\n```\n\nx\n\n```c\nb;\n```\n"},
		{"language none", "<!-- language: lang-none -->\n\n    plain\n", "    plain\n"},
		{"code with backticks fenced longer", "<!-- language: lang-sh -->\n\n    echo ```\n", "````sh\necho ```\n````\n"},
		{"br", "a<br>b<br/>\nc<br>\n", "a\\\nb\\\nc\n"},
		{"br in table", "| a<br>b |\n|---|\n", "| a b |\n|---|\n"},
		{"inline tags", "<kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, <span class=x>s</span>", "Ctrl+C, H2O, s\n"},
		{"a tag", "see <a href=\"/q/1\" title=\"t\">this *one*</a>.", "see [this *one*](https://forum.example/q/1).\n"},
		{"unsafe a tag", "see <a href=\"javascript:x\">this</a>.", "see this.\n"},
		{"img tag", "<img src=\"https://i.example/a.png\" alt=\"pic\"> x", "![pic](https://i.example/a.png) x\n"},
		{"del", "<del>old</del> new", "~~old~~ new\n"},
		{"del that cannot flank", "<del> spaced </del>x", " spaced x\n"},
		{"tag at line start", "para\n<sup>1. note</sup>\n", "para\n1\\. note\n"},
		{"emphasis before removed tag", "_x_<sup>1</sup>\n", "*x*1\n"},
		{"linkified URL before removed tag", "http://x.example/a.</del>b\n", "<http://x.example/a>.b\n"},
		{"html block", "<div>\n<p>Hi <b>there</b></p>\n</div>\n\nafter\n", "Hi **there**\n\nafter\n"},
		{"html block in quote", "> <div>\n> one<br>two\n> </div>\n", "> one  \n> two\n"},
		{"comment", "a <!-- hidden --> b\n\n<!-- block -->\n\nc\n", "a  b\n\nc\n"},
		{"unsafe link", "[t](javascript:alert(1)) [u](</javascript:x>)", "t [u](<https://forum.example/javascript:x>)\n"},
		{"unsafe image", "![alt *text*](vbscript:x)", "alt *text*\n"},
		{"nested brackets and code in label", "[a [b] `]` c](javascript:x)", "a [b] `]` c\n"},
		{"link split over lines", "> [a\n> b](javascript:x\n> \"t\") c\n", "> a\n> b c\n"},
		{"reference kinds", "[full][r] [collapsed][] [short]\n\n[r]: javascript:1\n[collapsed]: javascript:2\n[short]: javascript:3\n", "full collapsed short\n"},
		{"reference cleaned", "[a][r]\n\n[r]: /rel \"t\"\n", "[a][r]\n\n[r]: https://forum.example/rel \"t\"\n"},
		{"protocol-relative", "[a](//x.example/p) ![i](//x.example/i.png)", "[a](https://x.example/p) ![i](https://x.example/i.png)\n"},
		{"invisible outside code only", "a\u200bb `c\u200bd`\n\n```\ne\u200bf\n```\n", "ab `c\u200bd`\n\n```\ne\u200bf\n```\n"},
		{"deep quotes capped", strings.Repeat(">", 300) + " x\n", strings.Repeat(">", 256) + "\\" + strings.Repeat(">", 44) + " x\n"},
	}
	for _, tt := range tests {
		got, err := c.Markdown(tt.in, "https://forum.example")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		checkOutput(t, c, tt.in, got)
	}
}

func TestSafeURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://x.example": true, "http://x": true, "mailto:a@b.example": true, "/rel": true, "rel/a:b": true,
		"#frag": true, "?q=a:b": true, "": true, "HTTPS://X": true,
		"javascript:alert(1)": false, "JaVaScRiPt&#x3a;x": false, "java&#x73;cript:x": false, "javascript&colon;x": false,
		"\x0ejavascript:x": false, " javascript:x": false, "java\tscript:x": false, "java%73cript:x": false,
		"&amp;#106;avascript:x": false, "vbscript:x": false, "data:text/html,x": false, "data:image/png;base64,x": false,
		"file:///etc/passwd": false, "//evil.example": false, "/\\evil.example": false, "\\\\evil.example": false,
		"ftp://x": false, "c:\\x": false, "java\u200bscript:x": false,
	} {
		if got := SafeURL(u); got != want {
			t.Errorf("SafeURL(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestCleanURL(t *testing.T) {
	for _, tt := range []struct{ in, site, want string }{
		{"https://x.example/a?b=1", "", "https://x.example/a?b=1"},
		{"//x.example/a", "", "https://x.example/a"},
		{"/a", "https://site.example/sub/", "https://site.example/a"},
		{"a", "https://site.example/sub/", "https://site.example/sub/a"},
		{"#f", "https://site.example", "#f"},
		{"https://x.example/?token=1&b=2&Signature=3&X-Amz-Date=4", "", "https://x.example/?b=2"},
		{"https://u:p@x.example/", "", "https://x.example/"},
		{"mailto:a@b.example", "", "mailto:a@b.example"},
		{"https://x.example/%E2%80%AEevil", "", "https://x.example/evil"},
		{"http://%20bad host/", "", ""},
		{"//(", "", ""}, {"https://a(b).example/", "", ""}, {"https://%28/", "", ""},
		{"https://[::1]:8080/x", "", "https://[::1]:8080/x"}, {"https://bücher.example/", "", "https://bücher.example/"},
		{"https://x_y.example:443/", "", "https://x_y.example:443/"},
		{"javascript:x", "", ""},
	} {
		if got := cleanURL(tt.in, tt.site); got != tt.want {
			t.Errorf("cleanURL(%q, %q) = %q, want %q", tt.in, tt.site, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	c := New()
	refuse := map[string]string{
		"inline HTML":        "a <b>x</b>",
		"HTML block":         "<div>\nx\n</div>\n",
		"comment":            "<!-- x -->\n",
		"link":               "[x](javascript:alert(1))",
		"entity link":        "[x](javascript&colon;alert(1))",
		"image":              "![x](data:image/svg+xml,x)",
		"autolink":           "<vbscript:x>",
		"linkified ftp":      "ftp://x.example",
		"reference":          "[r]: javascript:x\n",
		"protocol-relative":  "[x](//evil.example)",
		"bidi":               "a \u202e b",
		"bidi in code":       "```\n\u2066\n```\n",
		"control":            "a\x01b",
		"C1 control":         "a\u0085b",
		"invalid UTF-8":      "a\xffb",
		"reference mid-list": "- [r]\n\n  [r]: javascript:x\n",
		// The check parses as the site does, linkify included: the URL
		// swallows the first backtick, so the tag is raw HTML on the site,
		// not in a code span as a parse without linkify would have it.
		"linkify opens a code span": "see www.x.example/`a <b onclick=x>` b\n",
	}
	for name, doc := range refuse {
		err := c.Check([]byte(doc))
		if !errors.Is(err, ErrUnsafe) {
			t.Errorf("%s: Check(%q) = %v", name, doc, err)
		}
	}
	if err := c.Check([]byte("a \u202e b")); !errors.Is(err, ErrBidi) {
		t.Errorf("bidi: %v", err)
	}
	accept := []string{"# T\n\n[a](https://x.example) <https://x.example> ![i](/i.png) a\u200db `<b>` &lt;b&gt;\n\n```html\n<script>\n```\n", ""}
	for _, doc := range accept {
		if err := c.Check([]byte(doc)); err != nil {
			t.Errorf("Check(%q) = %v", doc, err)
		}
	}
}

func TestNeedsFix(t *testing.T) {
	for md, want := range map[string]bool{"plain": false, "[a](https://x) http://y": false, "a <b": true,
		"ftp://x": true, "a\u200bb": true, "x://y": true} {
		if got := needsFix(md); got != want {
			t.Errorf("needsFix(%q) = %v", md, got)
		}
	}
}
