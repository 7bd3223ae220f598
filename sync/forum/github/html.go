package github

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// CleanHTML reduces GitHub's rendered bodyHTML to plain semantic HTML that a
// generic HTML-to-Markdown converter handles well. Highlighted code blocks
// become <pre><code class="language-LANG"> holding the exact code text;
// clipboard wrappers, copy buttons, heading anchors and octicons go; hidden
// email-reply fragments go; user and team mentions become plain "@login"
// text; task-list checkboxes become "[ ]" or "[x]"; <g-emoji> becomes its
// character; GitHub's data-*, aria-*, class, style and dir attributes go.
// Text and code are otherwise kept as they are.
func CleanHTML(s string) string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return s // a strings.Reader does not fail; keep the input if it ever does
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	cleanChildren(root)
	var b strings.Builder
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return s
		}
	}
	return b.String()
}

func cleanChildren(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		clean(c)
		c = next
	}
}

// clean rewrites one node in place (or replaces or removes it). Children
// are cleaned first, so a node that is unwrapped brings clean children.
func clean(n *html.Node) {
	if n.Type != html.ElementNode {
		return
	}
	cls := classes(n)
	switch {
	case n.Data == "svg" || n.Data == "clipboard-copy" || n.Data == "template" ||
		cls["email-hidden-toggle"] || cls["email-hidden-reply"] || cls["zeroclipboard-container"] ||
		(n.DataAtom == atom.A && (cls["anchor"] || attr(n, "aria-hidden") == "true")):
		n.Parent.RemoveChild(n)
		return
	case n.DataAtom == atom.Div && cls["highlight"]:
		code := textOf(firstPre(n))
		if code == "" {
			code = attr(n, "data-snippet-clipboard-copy-content")
		}
		replace(n, codeBlock(highlightLang(attr(n, "class")), code))
		return
	case n.DataAtom == atom.Pre:
		replace(n, codeBlock(preLang(n), textOf(n)))
		return
	case cls["user-mention"] || cls["team-mention"]:
		replace(n, &html.Node{Type: html.TextNode, Data: textOf(n)})
		return
	case n.Data == "g-emoji":
		t := textOf(n)
		if t == "" && attr(n, "alias") != "" {
			t = ":" + attr(n, "alias") + ":"
		}
		replace(n, &html.Node{Type: html.TextNode, Data: t})
		return
	case n.DataAtom == atom.Input && strings.EqualFold(attr(n, "type"), "checkbox"):
		box := "[ ]"
		if hasAttr(n, "checked") {
			box = "[x]"
		}
		replace(n, &html.Node{Type: html.TextNode, Data: box})
		return
	}
	hadKids := n.FirstChild != nil
	cleanChildren(n)
	if hadKids && n.FirstChild == nil && n.DataAtom == atom.P {
		n.Parent.RemoveChild(n) // it held only an email-reply toggle or an anchor
		return
	}
	if cls["snippet-clipboard-content"] || cls["markdown-heading"] {
		unwrap(n)
		return
	}
	stripAttrs(n)
}

// codeBlock builds <pre><code class="language-LANG">code</code></pre>.
func codeBlock(lang, code string) *html.Node {
	c := &html.Node{Type: html.ElementNode, Data: "code", DataAtom: atom.Code}
	if lang != "" {
		c.Attr = []html.Attribute{{Key: "class", Val: "language-" + lang}}
	}
	if code != "" {
		c.AppendChild(&html.Node{Type: html.TextNode, Data: code})
	}
	p := &html.Node{Type: html.ElementNode, Data: "pre", DataAtom: atom.Pre}
	p.AppendChild(c)
	return p
}

// textScopes maps GitHub's highlight-text-* scopes to fence languages.
var textScopes = map[string]string{
	"html-basic": "html", "html-php": "php", "html-erb": "erb", "md": "markdown",
	"xml": "xml", "xml-svg": "svg", "tex-latex": "latex", "python-console": "pycon",
	"shell-session": "console",
}

var safeLang = regexp.MustCompile(`^[A-Za-z0-9_+#.-]{1,32}$`)

// highlightLang reads the language of a div.highlight: highlight-source-js -> js.
func highlightLang(class string) string {
	for _, c := range strings.Fields(class) {
		var lang string
		switch {
		case strings.HasPrefix(c, "highlight-source-"):
			lang = strings.TrimPrefix(c, "highlight-source-")
		case strings.HasPrefix(c, "highlight-text-"):
			rest := strings.TrimPrefix(c, "highlight-text-")
			if lang = textScopes[rest]; lang == "" {
				lang = rest
			}
		default:
			continue
		}
		if safeLang.MatchString(lang) {
			return lang
		}
	}
	return ""
}

// preLang reads <pre lang="x"> or an inner <code class="language-x">.
func preLang(pre *html.Node) string {
	if l := attr(pre, "lang"); safeLang.MatchString(l) {
		return l
	}
	for c := pre.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom != atom.Code {
			continue
		}
		for _, cl := range strings.Fields(attr(c, "class")) {
			for _, p := range []string{"language-", "lang-"} {
				if l := strings.TrimPrefix(cl, p); l != cl && safeLang.MatchString(l) {
					return l
				}
			}
		}
	}
	return ""
}

func firstPre(n *html.Node) *html.Node {
	if n.DataAtom == atom.Pre {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if p := firstPre(c); p != nil {
			return p
		}
	}
	return nil
}

// textOf concatenates the text under n, as a browser's textContent would.
func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func replace(old, n *html.Node) {
	old.Parent.InsertBefore(n, old)
	old.Parent.RemoveChild(old)
}

// unwrap replaces n by its children.
func unwrap(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		n.Parent.InsertBefore(c, n)
		c = next
	}
	n.Parent.RemoveChild(n)
}

func classes(n *html.Node) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(attr(n, "class")) {
		m[c] = true
	}
	return m
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

// stripAttrs drops GitHub's presentation and script hooks (hovercards,
// clipboard, tracking) and keeps what carries meaning: href, src, alt...
func stripAttrs(n *html.Node) {
	kept := n.Attr[:0]
	for _, a := range n.Attr {
		k := a.Key
		if strings.HasPrefix(k, "data-") || strings.HasPrefix(k, "aria-") ||
			k == "class" || k == "style" || k == "dir" || k == "role" || k == "tabindex" {
			continue
		}
		kept = append(kept, a)
	}
	n.Attr = kept
}
