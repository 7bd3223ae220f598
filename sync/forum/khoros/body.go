package khoros

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
)

// rewriteBody replaces the Khoros editor's custom elements with plain HTML
// and leaves every other byte of the body as written:
//
//	<li-user uid="7" login="ann"></li-user>      -> @ann
//	<li-emoji id="lia_smile" title=":smile:">     -> :smile:
//	<li-image id="123i4" alt="x.png">caption      -> <img src="…/t5/image/serverpage/image-id/123i4" alt="x.png">caption
//	<li-code lang="python">…</li-code>            -> <pre><code class="language-python">…</code></pre>
//	any other <li-…> element                      -> its content, without the tags
//
// site, when known, makes the image URLs absolute.
func rewriteBody(body, site string) string {
	if lower := strings.ToLower(body); !strings.Contains(lower, "<li-") && !strings.Contains(lower, "</li-") {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	z := xhtml.NewTokenizer(strings.NewReader(body))
	// Text inside <li-user> and <li-emoji> is dropped: the attribute says it.
	dropText := ""
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break // io.EOF: the tokenizer reads a string, nothing else can fail
		}
		raw := append([]byte(nil), z.Raw()...) // TagName lowercases the buffer in place
		name, _ := z.TagName()
		tag := string(name)
		isLi := strings.HasPrefix(tag, "li-")
		switch tt {
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			dropText = ""
			if !isLi {
				b.Write(raw)
				continue
			}
			attrs := tagAttrs(z)
			switch tag {
			case "li-user":
				b.WriteString(html.EscapeString(userMention(attrs)))
				if tt == xhtml.StartTagToken {
					dropText = tag
				}
			case "li-emoji":
				b.WriteString(html.EscapeString(emojiText(attrs)))
				if tt == xhtml.StartTagToken {
					dropText = tag
				}
			case "li-image":
				b.WriteString(imageTag(attrs, site))
			case "li-code":
				b.WriteString(`<pre><code`)
				if lang := attrs["lang"]; lang != "" {
					b.WriteString(` class="language-` + html.EscapeString(lang) + `"`)
				}
				b.WriteString(`>`)
				if tt == xhtml.SelfClosingTagToken {
					b.WriteString(`</code></pre>`)
				}
			}
		case xhtml.EndTagToken:
			if tag == dropText {
				dropText = ""
			}
			switch {
			case tag == "li-code":
				b.WriteString(`</code></pre>`)
			case !isLi:
				b.Write(raw)
			}
		case xhtml.TextToken:
			if dropText == "" {
				b.Write(raw)
			}
		default:
			b.Write(raw)
		}
	}
	return b.String()
}

func tagAttrs(z *xhtml.Tokenizer) map[string]string {
	attrs := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		if len(k) > 0 {
			if _, dup := attrs[string(k)]; !dup {
				attrs[string(k)] = string(v)
			}
		}
		if !more {
			return attrs
		}
	}
}

func userMention(a map[string]string) string {
	if login := strings.Join(strings.Fields(a["login"]), " "); login != "" {
		return "@" + login
	}
	if uid := strings.TrimSpace(a["uid"]); uid != "" {
		return "user " + uid
	}
	return "deleted user"
}

func emojiText(a map[string]string) string {
	if t := strings.TrimSpace(a["title"]); t != "" {
		return t
	}
	if id := strings.TrimPrefix(strings.TrimSpace(a["id"]), "lia_"); id != "" {
		return ":" + id + ":"
	}
	return ""
}

func imageTag(a map[string]string, site string) string {
	src := strings.TrimSpace(a["src"])
	if src == "" {
		if id := strings.TrimSpace(a["id"]); id != "" {
			src = site + "/t5/image/serverpage/image-id/" + id
		}
	}
	if src == "" {
		return ""
	}
	s := `<img src="` + html.EscapeString(src) + `"`
	if alt := a["alt"]; alt != "" {
		s += ` alt="` + html.EscapeString(alt) + `"`
	}
	return s + `>`
}
