package convert

import (
	"regexp"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// owaspVectors are taken from the OWASP XSS Filter Evasion Cheat Sheet,
// plus the mXSS, scheme and attribute-breakout cases of
// shared/reference/security.md (SEC-11, 16, 20).
var owaspVectors = []struct{ name, html string }{
	{"script src", `<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>`},
	{"polyglot", `javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+alert(1)//'>`},
	{"img javascript", `<IMG SRC="javascript:alert('XSS');">`},
	{"img no quotes", `<IMG SRC=javascript:alert('XSS')>`},
	{"img case", `<IMG SRC=JaVaScRiPt:alert('XSS')>`},
	{"img html entities", `<IMG SRC=javascript:alert(&quot;XSS&quot;)>`},
	{"img grave accent", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"},
	{"a onmouseover", `<a onmouseover="alert(document.cookie)">xxs link</a>`},
	{"a onmouseover bare", `<a onmouseover=alert(document.cookie)>xxs link</a>`},
	{"malformed img", `<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\>`},
	{"fromCharCode", `<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>`},
	{"img src # onmouseover", `<IMG SRC=# onmouseover="alert('xxs')">`},
	{"img empty src", `<IMG SRC= onmouseover="alert('xxs')">`},
	{"img no src", `<IMG onmouseover="alert('xxs')">`},
	{"img onerror", `<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`},
	{"onerror encoded", `<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">`},
	{"decimal entities", `<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`},
	{"long decimal entities", `<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>`},
	{"hex entities", `<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>`},
	{"embedded tab", "<IMG SRC=\"jav\tascript:alert('XSS');\">"},
	{"encoded tab", `<IMG SRC="jav&#x09;ascript:alert('XSS');">`},
	{"encoded newline", `<IMG SRC="jav&#x0A;ascript:alert('XSS');">`},
	{"encoded carriage return", `<IMG SRC="jav&#x0D;ascript:alert('XSS');">`},
	{"leading spaces and meta char", `<IMG SRC=" &#14;  javascript:alert('XSS');">`},
	{"non-alpha non-digit", `<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>`},
	{"body onload junk", "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>"},
	{"script slash src", `<SCRIPT/SRC="http://xss.rocks/xss.js"></SCRIPT>`},
	{"extraneous brackets", `<<SCRIPT>alert("XSS");//\<</SCRIPT>`},
	{"no closing script", `<SCRIPT SRC=http://xss.rocks/xss.js?< B >`},
	{"protocol resolution script", `<SCRIPT SRC=//xss.rocks/.j>`},
	{"half open img", "<IMG SRC=\"`('XSS')\"`"},
	{"unclosed iframe", `<iframe src=http://xss.rocks/scriptlet.html <`},
	{"end title", `</TITLE><SCRIPT>alert("XSS");</SCRIPT>`},
	{"input image", `<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">`},
	{"body background", `<BODY BACKGROUND="javascript:alert('XSS')">`},
	{"img dynsrc", `<IMG DYNSRC="javascript:alert('XSS')">`},
	{"img lowsrc", `<IMG LOWSRC="javascript:alert('XSS')">`},
	{"list-style-image", `<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>`},
	{"vbscript", `<IMG SRC='vbscript:msgbox("XSS")'>`},
	{"svg onload", `<svg/onload=alert('XSS')>`},
	{"body onload", `<BODY ONLOAD=alert('XSS')>`},
	{"bgsound", `<BGSOUND SRC="javascript:alert('XSS');">`},
	{"br size js", `<BR SIZE="&{alert('XSS')}">`},
	{"link stylesheet", `<LINK REL="stylesheet" HREF="javascript:alert('XSS');">`},
	{"meta refresh", `<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`},
	{"meta data url", `<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">`},
	{"iframe js", `<IFRAME SRC="javascript:alert('XSS');"></IFRAME>`},
	{"table background", `<TABLE BACKGROUND="javascript:alert('XSS')">`},
	{"div background-image", `<DIV STYLE="background-image: url(javascript:alert('XSS'))">x</DIV>`},
	{"div expression", `<DIV STYLE="width: expression(alert('XSS'));">x</DIV>`},
	{"base href", `<BASE HREF="javascript:alert('XSS');//">`},
	{"object scriptlet", `<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>`},
	{"embed svg", `<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv">`},
	{"a entity colon", `<a href="javascript&colon;alert(1)">x</a>`},
	{"a mixed case hex colon", `<a href="JaVaScRiPt&#x3a;alert(1)">x</a>`},
	{"a hex j", `<a href="&#x6A;avascript:alert(1)">x</a>`},
	{"a control char", `<a href="&#14;javascript:alert(1)">x</a>`},
	{"a leading spaces", `<a href="   javascript:alert(1)">x</a>`},
	{"a data html", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`},
	{"a vbscript", `<a href="vbscript:msgbox(1)">x</a>`},
	{"a file", `<a href="file:///etc/passwd">x</a>`},
	{"img data svg", `<img src="data:image/svg+xml,<svg onload=alert(1)>">`},
	{"mxss math style", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`},
	{"noscript title", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`},
	{"details ontoggle", `<details open ontoggle=alert(1)><summary>s</summary>x</details>`},
	{"svg script", `<svg><script>alert(1)</script></svg>`},
	{"title breakout", `<a href="https://ok.example/" title='x" onmouseover="alert(1)'>t</a>`},
	{"form action", `<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">x</button></form>`},
	{"grave onerror", "<img src=\"x` `<script>alert(1)</script>\"` `>"},
	{"text that looks like a tag", `<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>`},
	{"markdown link in text", `<p>[click](javascript:alert(1)) and ![i](javascript:alert(2)) and &lt;javascript:alert(3)&gt;</p>`},
}

var tableAlign = regexp.MustCompile(`^text-align:(left|right|center)$`)

// unsafeScheme reports a URL a browser would run or load as a document.
func unsafeScheme(u string) bool {
	return !SafeURL(u)
}

// assertSafeHTML checks HTML that goldmark rendered with html.WithUnsafe():
// no script-capable element, no event handler, no unsafe URL in any
// attribute that holds one, no `javascript:` anywhere in an attribute.
// strict also refuses `javascript:` anywhere in a URL (the OWASP vectors
// must not leave it even in a path or fragment, where it is harmless).
func assertSafeHTML(t *testing.T, name, doc string, strict bool) {
	t.Helper()
	if strings.Contains(strings.ToLower(doc), "<script") {
		t.Errorf("%s: rendered HTML has <script: %q", name, doc)
	}
	check := func(tag string, attrs []xhtml.Attribute) {
		switch tag {
		case "script", "iframe", "object", "embed", "svg", "math", "style", "form", "base", "meta", "link",
			"input", "button", "textarea", "select", "frame", "frameset", "applet", "bgsound", "template", "noscript":
			t.Errorf("%s: rendered HTML has a <%s> element: %q", name, tag, doc)
		}
		for _, a := range attrs {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.Join(strings.FieldsFunc(a.Val, func(r rune) bool { return r <= ' ' }), ""))
			if strings.HasPrefix(key, "on") {
				t.Errorf("%s: event handler %s=%q in %q", name, a.Key, a.Val, doc)
			}
			if strict && (strings.Contains(val, "javascript:") || strings.Contains(val, "vbscript:")) {
				t.Errorf("%s: script URL in %s=%q", name, a.Key, a.Val)
			}
			switch key {
			case "href", "src", "action", "formaction", "background", "dynsrc", "lowsrc", "data", "poster", "xlink:href", "srcset":
				if unsafeScheme(a.Val) {
					t.Errorf("%s: unsafe %s=%q in %q", name, a.Key, a.Val, doc)
				}
			case "style":
				// goldmark writes table alignment this way; nothing else
				// may carry a style.
				if !tableAlign.MatchString(a.Val) {
					t.Errorf("%s: style attribute in %q", name, doc)
				}
			}
		}
	}
	root, err := xhtml.Parse(strings.NewReader(doc))
	if err != nil {
		// The parser stops at 512 open elements (a Markdown line of 600
		// asterisks renders that deep); the tokenizer has no such limit.
		z := xhtml.NewTokenizer(strings.NewReader(doc))
		for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
			if tt == xhtml.StartTagToken || tt == xhtml.SelfClosingTagToken {
				tok := z.Token()
				check(tok.Data, tok.Attr)
			}
		}
		return
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			check(n.Data, n.Attr)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
}

func TestOWASPVectors(t *testing.T) {
	c := New()
	for _, v := range owaspVectors {
		t.Run(v.name, func(t *testing.T) {
			// The vector as an HTML body, and as raw HTML inside an
			// author's Markdown.
			for _, path := range []string{"html", "markdown"} {
				var md string
				var err error
				if path == "html" {
					md, err = c.HTML(v.html, "https://forum.example")
				} else {
					md, err = c.Markdown("Text before.\n\n"+v.html+"\n\nand inline "+v.html+" too\n", "https://forum.example")
				}
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if err := c.Check([]byte(md)); err != nil {
					t.Errorf("%s: Check refuses the output: %v\n%q", path, err, md)
				}
				lower := strings.ToLower(md)
				for _, bad := range []string{"<script", "javascript:", "vbscript:", "data:text", "data:image", "file:"} {
					if strings.Contains(lower, bad) && !escapedText(c, md, bad) {
						t.Errorf("%s: Markdown carries %q outside text: %q", path, bad, md)
					}
				}
				assertSafeHTML(t, path, renderUnsafe(t, md), true)
			}
		})
	}
	if len(owaspVectors) < 30 {
		t.Fatalf("only %d vectors", len(owaspVectors))
	}
}

// escapedText reports whether every occurrence of s in the Markdown is
// plain text once rendered (it may stay visible, as the author's words, but
// not as markup or a URL): the rendered HTML holds it only in text nodes.
func escapedText(c *Converter, md, s string) bool {
	var buf strings.Builder
	_ = c.md.Convert([]byte(md), &buf)
	root, err := xhtml.Parse(strings.NewReader(buf.String()))
	if err != nil {
		return false
	}
	ok := true
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			for _, a := range n.Attr {
				if strings.Contains(strings.ToLower(a.Val), s) {
					ok = false
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(root)
	return ok && !strings.Contains(strings.ToLower(buf.String()), "<"+strings.TrimSuffix(s, ":"))
}
