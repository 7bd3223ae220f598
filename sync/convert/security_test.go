package convert

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The tests named TestSECnn follow shared/reference/security.md, sections B
// (HTML and Markdown content) and C (front matter), as far as the
// converter is concerned.

func mustHTML(t *testing.T, c *Converter, body string) string {
	t.Helper()
	out, err := c.HTML(body, "https://forum.example")
	if err != nil {
		t.Fatalf("HTML(%q): %v", body, err)
	}
	if err := c.Check([]byte(out)); err != nil {
		t.Fatalf("Check(%q): %v", out, err)
	}
	return out
}

func mustMarkdown(t *testing.T, c *Converter, body string) string {
	t.Helper()
	out, err := c.Markdown(body, "https://forum.example")
	if err != nil {
		t.Fatalf("Markdown(%q): %v", body, err)
	}
	if err := c.Check([]byte(out)); err != nil {
		t.Fatalf("Check(%q): %v", out, err)
	}
	return out
}

func TestSEC11UnsafeSchemesDropTheLinkKeepTheText(t *testing.T) {
	c := New()
	for _, href := range []string{"javascript:alert(1)", "JaVaScRiPt&#x3a;alert(1)", "&#14;javascript:alert(1)",
		"vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "java&#x09;script:alert(1)"} {
		out := mustHTML(t, c, `<p>Please <a href="`+href+`">click here</a> now.</p>`)
		if out != "Please click here now.\n" {
			t.Errorf("href %q: got %q", href, out)
		}
		assertSafeHTML(t, href, renderUnsafe(t, out), true)
	}
	for href, want := range map[string]string{
		"https://x.example/a": "[click](https://x.example/a)",
		"http://x.example/a":  "[click](http://x.example/a)",
		"mailto:a@x.example":  "[click](mailto:a@x.example)",
		"/questions/1":        "[click](https://forum.example/questions/1)",
		"//cdn.example/a":     "[click](https://cdn.example/a)",
	} {
		if out := mustHTML(t, c, `<a href="`+href+`">click</a>`); strings.TrimSpace(out) != want {
			t.Errorf("href %q: got %q, want %q", href, out, want)
		}
	}
}

func TestSEC12UnsafeMarkdownDestinations(t *testing.T) {
	c := New()
	tests := []struct{ in, want string }{
		{"[x](javascript&colon;alert(1))\n", "x\n"},
		{"[a][r]\n\n[r]: javascript:alert(1)\n", "a\n"},
		{"<javascript:alert(1)>\n", "\\<javascript:alert(1)>\n"},
		{"![](data:image/svg+xml,<svg onload=alert(1)>)\n", ""},
		{"![alt](data:image/svg+xml,<svg onload=alert(1)>)\n", "alt\n"},
		{"[x](java&#x73;cript:alert(1)) [y](<javascript:alert(1)>) [z](JAVASCRIPT:alert(1) \"t\")\n", "x y z\n"},
		{"[x](vbscript:x) [y](file:///etc/passwd) [z](data:text/html,x)\n", "x y z\n"},
		{"[ok](https://x.example) [rel](/a/b) [proto](//x.example/p)\n", "[ok](https://x.example) [rel](https://forum.example/a/b) [proto](https://x.example/p)\n"},
		{"[a][ok]\n\n[ok]: //x.example/p\n", "[a][ok]\n\n[ok]: https://x.example/p\n"},
		{"ftp://x.example/f\n", "ftp\\://x.example/f\n"},
	}
	for _, tt := range tests {
		// The linter refuses the raw input without relying on a renderer.
		if c.Check([]byte(tt.in)) == nil && strings.Contains(tt.in, "alert") {
			t.Errorf("Check accepts %q", tt.in)
		}
		if got := mustMarkdown(t, c, tt.in); got != tt.want {
			t.Errorf("Markdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSEC13RawHTMLInMarkdown(t *testing.T) {
	c := New()
	in := "Intro\n\n<div onclick=\"alert(1)\">\nblock\n</div>\n\nInline <img src=x onerror=alert(1)> and <iframe src=\"https://evil.example\"></iframe>\n\n<script>alert(1)</script>\n\nEnd <b>bold</b> <kbd>Ctrl</kbd>+<kbd>C</kbd>\n"
	if !errors.Is(c.Check([]byte(in)), ErrUnsafe) {
		t.Fatal("Check accepts raw HTML")
	}
	out := mustMarkdown(t, c, in)
	want := "Intro\n\nblock\n\nInline ![](https://forum.example/x) and \n\nEnd bold Ctrl+C\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	assertSafeHTML(t, "raw", renderUnsafe(t, out), true)
}

func TestSEC14CredentialsInImageAndLinkURLs(t *testing.T) {
	c := New()
	tests := []struct{ in, want string }{
		{`<img src="https://cdn.example/a.png?token=abc&size=2" alt="a">`, "![a](https://cdn.example/a.png?size=2)\n"},
		{`<img src="https://cdn.example/a.png?access_token=abc" alt="a">`, "![a](https://cdn.example/a.png)\n"},
		{`<img src="https://s3.example/a.png?X-Amz-Credential=AKIA&X-Amz-Signature=f00&v=1">`, "![](https://s3.example/a.png?v=1)\n"},
		{`<img src="https://blob.example/a.png?sv=2020&sig=abc%3D">`, "![](https://blob.example/a.png?sv=2020)\n"},
		{`<a href="https://u:secret@x.example/p?api_key=k&q=1">l</a>`, "[l](https://x.example/p?q=1)\n"},
		{`<img src="https://cdn.example/a.png?s=64" alt="kept">`, "![kept](https://cdn.example/a.png?s=64)\n"},
	}
	for _, tt := range tests {
		if got := mustHTML(t, c, tt.in); got != tt.want {
			t.Errorf("HTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	md := "![i](https://cdn.example/a.png?sig=1&w=2) [l](https://x.example/?token=t) <https://x.example/?password=p>\n\n[r]: https://x.example/?jwt=e.y.j\n"
	want := "![i](https://cdn.example/a.png?w=2) [l](https://x.example/) <https://x.example/>\n\n[r]: https://x.example/\n"
	if got := mustMarkdown(t, c, md); got != want {
		t.Errorf("Markdown = %q, want %q", got, want)
	}
}

func TestSEC15LinkInjectionFromText(t *testing.T) {
	c := New()
	for _, text := range []string{"](javascript:alert(1))", "[text][ref]", "[x](javascript:alert(1))", "---", "# Heading",
		"1. not a list", "- not a list", "> not a quote", "***", "`not code`", "*not em*", "_not em_", "~~not struck~~",
		"&lt;https://evil.example&gt;", "&amp;nbsp;", "a | b", "<b>"} {
		html := "<p>" + strings.ReplaceAll(text, "<b>", "&lt;b&gt;") + "</p>"
		out := mustHTML(t, c, html)
		rendered := renderUnsafe(t, out)
		for _, tag := range []string{"<a ", "<h1", "<hr", "<ol", "<ul", "<blockquote", "<code", "<em", "<del", "<b>"} {
			if strings.Contains(rendered, tag) {
				t.Errorf("text %q became markup %s: %q -> %q", text, tag, out, rendered)
			}
		}
		if ok, where := sameWords(htmlWords(html), htmlWords(rendered)); !ok {
			t.Errorf("text %q changed: %s (%q)", text, where, out)
		}
	}
}

func TestSEC16TitleAttributeBreakout(t *testing.T) {
	c := New()
	out := mustHTML(t, c, `<a href="https://x.example/" title='x" onmouseover="alert(1)'>t</a>`)
	rendered := renderUnsafe(t, out)
	if !strings.Contains(rendered, `title="x&quot; onmouseover=&quot;alert(1)"`) {
		t.Errorf("title not kept as one escaped value: %q -> %q", out, rendered)
	}
	assertSafeHTML(t, "title", rendered, true)
}

func TestSEC17CodeFenceBreakout(t *testing.T) {
	c := New()
	for _, code := range []string{"```\nbreak out\n```\n", "~~~\nx\n~~~\n", "a ```` b ````` c\n", "`", "<script>alert(1)</script>\n", "    indented\n\ttab\n", "{{< x >}}\n"} {
		esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(code)
		out := mustHTML(t, c, "<pre><code>"+esc+"</code></pre>")
		if blocks := mdCode(out); !containsCode(blocks, code) {
			t.Errorf("code %q came out as %q (blocks %q)", code, out, blocks)
		}
		in := "```" + strings.Repeat("`", longestRun([]byte(code), '`')) + "\n" + code + "```" + strings.Repeat("`", longestRun([]byte(code), '`')) + "\n"
		if md := mustMarkdown(t, c, in); md != in {
			t.Errorf("Markdown code %q changed: %q", in, md)
		}
	}
}

func TestSEC18TemplateSyntaxIsNeutralisedPerPreset(t *testing.T) {
	c := New()
	// The converter keeps the author's words; the preset step escapes them.
	body := "<p>Embed with {{&lt; youtube id &gt;}} or {{% param \"x\" %}}; Liquid {{ site.title }} {% include x %}; Actions ${{ secrets.TOKEN }}</p>"
	out := mustHTML(t, c, body)
	if ok, where := sameWords(htmlWords(body), htmlWords(renderUnsafe(t, out))); !ok {
		t.Fatalf("converter reworded: %s", where)
	}
	hugo := EscapeTemplates(out, "hugo")
	if got, err := hugoLex(hugo); err != nil || renderText(got) != renderText(out) {
		t.Errorf("hugo: %v, %q", err, hugo)
	}
	jekyll := EscapeTemplates(out, "jekyll")
	if got, err := liquidRender(jekyll); err != nil || got != out {
		t.Errorf("jekyll: %v, %q", err, jekyll)
	}
	if mdx := EscapeTemplates(out, "docusaurus"); TemplateSyntax(mdx, "docusaurus") || renderText(mdx) != renderText(out) {
		t.Errorf("docusaurus: %q", mdx)
	}
}

func TestSEC19InvisibleCharacters(t *testing.T) {
	c := New()
	out := mustHTML(t, c, "<p>pass\u200bword \u202eevil\u202c <a href=\"https://x.example/\u200b\">li\u2066nk</a> <img src=\"https://i.example/a.png\" alt=\"a\u202eb\" title=\"t\u200dt\"> 👨\u200d👩\u200d👧 می\u200cخواهم \ufeffbom</p>")
	want := "password evil [link](https://x.example/) ![ab](https://i.example/a.png \"tt\") 👨\u200d👩\u200d👧 می\u200cخواهم bom\n"
	if out != want {
		t.Errorf("HTML: got %q, want %q", out, want)
	}
	md := mustMarkdown(t, c, "pass\u200bword \u202eevil [li\u2066nk](https://x.example/) 👨\u200d👩\u200d👧\n")
	if md != "password evil [link](https://x.example/) 👨\u200d👩\u200d👧\n" {
		t.Errorf("Markdown: got %q", md)
	}
	// In code the bytes stay, and Check holds the article for a person.
	code, err := c.HTML("<pre><code>if (a \u202e) {}</code></pre>", "")
	if err != nil || !strings.Contains(code, "\u202e") || !errors.Is(c.Check([]byte(code)), ErrBidi) {
		t.Errorf("bidi in code: %q, %v, Check %v", code, err, c.Check([]byte(code)))
	}
	if Slug("a\u202eb") != "ab" {
		t.Errorf("slug keeps a bidi control")
	}
}

func TestSEC20MXSSAndSanitizerIdempotence(t *testing.T) {
	c := New()
	for _, in := range []string{
		`<details open ontoggle=alert(1)><summary>Sum</summary>Body</details>`,
		`<svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
		`<b><p>mis</b>nested</p>`, `<table><td><form><input onfocus=alert(1) autofocus>`,
		`<a href="https://x.example"><a href="javascript:alert(1)">nested</a></a>`,
	} {
		assertSafeHTML(t, in, renderUnsafe(t, mustHTML(t, c, in)), true)
		assertSafeHTML(t, in, renderUnsafe(t, mustMarkdown(t, c, in)), true)
	}
	// For the final Markdown M of every corpus body, the allow-list finds
	// nothing to remove in render_unsafe(M): the Markdown carries nothing
	// the sanitizer would not have let through. goldmark's own table
	// alignment styles and task-list checkboxes are the only exceptions.
	p := Policy()
	p.AllowAttrs("style").Matching(tableAlign).OnElements("th", "td")
	p.AllowElements("input")
	p.AllowAttrs("checked", "disabled", "type").OnElements("input")
	n := 0
	for _, b := range loadCorpus(t) {
		var out string
		var err error
		if b.html {
			out, err = c.HTML(b.text, "https://forum.example")
		} else {
			out, err = c.Markdown(b.text, "https://forum.example")
		}
		if err != nil {
			t.Fatal(err)
		}
		r := normalizeHTML(renderUnsafe(t, out))
		if s := normalizeHTML(p.Sanitize(r)); s != r {
			t.Errorf("%s: the sanitizer changes the rendered output:\n%q\n%q", b.name, r, s)
			if n++; n > 3 {
				break
			}
		}
	}
}

func TestSEC21InputLimits(t *testing.T) {
	c := New()
	big := strings.Repeat("a", MaxBody+1)
	for _, conv := range []func(string, string) (string, error){c.HTML, c.Markdown} {
		_, err := conv(big, "")
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1048577 bytes") || !strings.Contains(err.Error(), "1048576") {
			t.Errorf("oversized body: %v", err)
		}
	}
	if _, err := New(WithMaxBody(10)).HTML("<p>more than ten bytes</p>", ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("WithMaxBody: %v", err)
	}
	// Pathological nesting must stay fast: measured, with a generous bound
	// for a shared 2-core machine.
	deep := map[string]string{
		"90k divs":        strings.Repeat("<div>", 90000) + "x" + strings.Repeat("</div>", 90000),
		"80k blockquotes": strings.Repeat("<blockquote>", 80000) + "x",
		"60k list items":  strings.Repeat("<ul><li>", 60000) + "x",
		"80k bold":        strings.Repeat("<b><i>", 80000) + "x",
		"30k tables":      strings.Repeat("<table><tr><td>", 30000) + "x",
		"unclosed a":      strings.Repeat(`<a href="https://x.example">`, 30000) + "x",
	}
	for name, body := range deep {
		start := time.Now()
		out, err := c.HTML(body, "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v", name, d)
		} else {
			t.Logf("%s (%d bytes): %v, %d bytes out", name, len(body), d, len(out))
		}
	}
	mdDeep := map[string]string{
		"quotes":    strings.Repeat(">", 500000) + " x\n",
		"lists":     strings.Repeat("- ", 200000) + "x\n",
		"brackets":  strings.Repeat("[", 300000) + "x" + strings.Repeat("](y)", 100000),
		"emphasis":  strings.Repeat("*_", 300000) + "x",
		"backticks": strings.Repeat("`a", 300000),
		"tags":      strings.Repeat("<b>", 200000) + "x",
		"entities":  strings.Repeat("&#x202e;", 100000),
		"templates": strings.Repeat("{%{{<", 150000),
		// Tag pairing, line starts and breaks were quadratic once.
		"unclosed a":   strings.Repeat(`<a href="https://x.example">`, 20000) + "x",
		"unclosed del": strings.Repeat(`<del>`, 50000) + "x",
		"a pairs":      strings.Repeat(`<a href="https://x.example">x</a>`, 20000),
		"breaks":       strings.Repeat("a<br>", 100000),
		"line starts":  strings.Repeat("<b>1. x</b>\n", 50000),
		"images":       strings.Repeat(`<img src="https://x.example/a.png" alt="a">`, 20000),
		"html blocks":  strings.Repeat("<div>x</div>\n\n", 50000),
		"unsafe links": strings.Repeat("[x](javascript:a) ", 50000),
	}
	for name, body := range mdDeep {
		start := time.Now()
		out, err := c.Markdown(body, "")
		if err != nil {
			t.Errorf("markdown %s: %v", name, err)
		}
		for _, p := range Presets {
			EscapeTemplates(out, p)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("markdown %s: %v", name, d)
		} else {
			t.Logf("markdown %s (%d bytes): %v", name, len(body), d)
		}
	}
}

func TestSEC22ControlCharacters(t *testing.T) {
	c := New()
	ctl := "a\x00b\x01c\x0ed\x1fe\x7ff\u0085g\u009fh\xff\xfei"
	for _, out := range []string{
		mustHTML(t, c, "<p>"+ctl+" &#14; &#x85; &#0;</p><pre><code>"+ctl+"</code></pre><a href=\"&#14;javascript:alert(1)\">l</a>"),
		mustMarkdown(t, c, ctl+"\n\n```\n"+ctl+"\n```\n[l](\x0ejavascript:alert(1))\n"),
	} {
		checkOutput(t, c, ctl, out)
		if !strings.Contains(out, "abcdefgh\uFFFD") {
			t.Errorf("text lost around controls: %q", out)
		}
	}
}

func TestSEC23YAMLLookingTextIsNotTouched(t *testing.T) {
	c := New()
	// Titles and tags are marshalled by the templates package; a body that
	// looks like YAML stays text and stays as written.
	for _, s := range []string{"How to: fix it #1", "&anchor *alias !tag %TAG @user", "yes no on null ~ 0x10 2024-01-01", "'quoted' \"double\" `tick`"} {
		html := "<p>" + strings.NewReplacer("&", "&amp;").Replace(s) + "</p>"
		out := mustHTML(t, c, html)
		if ok, where := sameWords(htmlWords(html), htmlWords(renderUnsafe(t, out))); !ok {
			t.Errorf("%q: %s", s, where)
		}
		if md := mustMarkdown(t, c, s+"\n"); renderText(md) != renderText(s+"\n") {
			t.Errorf("%q: Markdown changed to %q", s, md)
		}
		if slug := Slug(s); !slugRE.MatchString(slug) {
			t.Errorf("Slug(%q) = %q", s, slug)
		}
	}
}

// frontMatterKeys splits an article the way a site generator does and
// returns the keys of its front matter.
func frontMatterKeys(t *testing.T, doc string) []string {
	t.Helper()
	rest, ok := strings.CutPrefix(doc, "---\n")
	if !ok {
		t.Fatalf("no front matter: %q", doc)
	}
	fm, _, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		t.Fatalf("front matter not closed: %q", doc)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(fm), &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestSEC24SeparatorInBodyCannotEndFrontMatter(t *testing.T) {
	c := New()
	for _, body := range []string{
		mustMarkdown(t, c, "---\nevil: true\ndraft: false\n---\ntext\n"),
		mustHTML(t, c, "<p>---<br>evil: true<br>---</p>"),
	} {
		doc := "---\ntitle: t\n---\n" + body
		if keys := frontMatterKeys(t, doc); len(keys) != 1 || keys[0] != "title" {
			t.Errorf("keys %v from body %q", keys, body)
		}
	}
	if out := mustHTML(t, c, "<p>---</p>"); strings.HasPrefix(out, "---") {
		t.Errorf("a --- paragraph is not escaped: %q", out)
	}
}

func TestSEC25TagSlugs(t *testing.T) {
	for tag, want := range map[string]string{"c#": "c-sharp", "c++": "c-plus-plus", ".net": "dot-net", "node.js": "node-js",
		"<script>": "script", "../x": "x", "f#": "f-sharp", "🙂": "", "": ""} {
		if got := TagSlug(tag); got != want {
			t.Errorf("TagSlug(%q) = %q, want %q", tag, got, want)
		}
	}
	// Every real tag of the corpus gets a distinct, well-formed slug.
	seen := map[string]string{}
	rows := 0
	for _, site := range []string{"conlang-meta-2020", "french-meta-2021"} {
		err := xmlRows(corpusDir+"/stackexchange/"+site+"/Tags.xml", func(_ string, a map[string]string) {
			name := a["TagName"]
			rows++
			s := TagSlug(name)
			if !slugRE.MatchString(s) {
				t.Errorf("TagSlug(%q) = %q", name, s)
			}
			if prev, dup := seen[s]; dup && prev != name {
				t.Errorf("tags %q and %q share the slug %q", prev, name, s)
			}
			seen[s] = name
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if rows < 150 {
		t.Fatalf("only %d tags read", rows)
	}
}

func TestSEC26BodyCannotAddFrontMatterKeys(t *testing.T) {
	c := New()
	evil := "---\nlayout: evil\naliases: [/x]\nurl: /admin\ncascade: {draft: false}\n---\n"
	for _, body := range []string{mustMarkdown(t, c, evil), mustHTML(t, c, "<pre><code>"+evil+"</code></pre>"), mustHTML(t, c, "<p>"+strings.ReplaceAll(evil, "\n", "<br>")+"</p>")} {
		if keys := frontMatterKeys(t, "---\ntitle: t\n---\n"+body); len(keys) != 1 {
			t.Errorf("keys %v from %q", keys, body)
		}
	}
}

func TestSEC27BillionLaughsInBodyIsText(t *testing.T) {
	c := New()
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	start := time.Now()
	out := mustHTML(t, c, "<pre><code>"+strings.ReplaceAll(bomb, "&", "&amp;")+"</code></pre>")
	if !containsCode(mdCode(out), bomb) {
		t.Errorf("bomb not kept as code: %q", out)
	}
	md := mustMarkdown(t, c, "```yaml\n"+bomb+"```\n")
	if !containsCode(mdCode(md), bomb) {
		t.Errorf("bomb not kept as code: %q", md)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestSEC28BOMAndCRLF(t *testing.T) {
	c := New()
	md := mustMarkdown(t, c, "\ufeffFirst line\r\nsecond\r\n\r\n```\r\ncode\r\n```\r\n")
	if md != "First line\nsecond\n\n```\ncode\n```\n" {
		t.Errorf("Markdown: %q", md)
	}
	html := mustHTML(t, c, "\ufeff<p>x\r\ny</p><pre><code>a\r\nb</code></pre>")
	if html != "x y\n\n```\na\nb\n```\n" {
		t.Errorf("HTML: %q", html)
	}
}

func TestSEC29BodyIsDataNeverTemplate(t *testing.T) {
	c := New()
	body := mustMarkdown(t, c, "Try {{ .Secret }} and {{ template \"x\" }} and {{ printf \"%s\" 1 }}\n")
	if !strings.Contains(body, `{{ .Secret }}`) || !strings.Contains(body, `{{ template "x" }}`) {
		t.Fatalf("converter changed template text: %q", body)
	}
	tmpl := template.Must(template.New("a").Option("missingkey=error").Parse("{{ .Body }}"))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, map[string]any{"Body": body, "Secret": "s3cr3t"}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != body || strings.Contains(buf.String(), "s3cr3t") {
		t.Errorf("template output %q", buf.String())
	}
}

// normalizeHTML parses and serialises a fragment, so that two HTML texts
// compare by their trees, not their spelling (quotes, `<br>` or `<br/>`).
func normalizeHTML(s string) string {
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return s
	}
	var b strings.Builder
	for _, n := range nodes {
		_ = xhtml.Render(&b, n)
	}
	return b.String()
}
