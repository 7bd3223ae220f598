package github

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// Snippets copied byte for byte from the corpus (TestCleanHTMLCorpusSnippetsAreReal checks it).
var corpusSnippets = []struct{ name, in, want string }{
	{
		"highlight js (discussion 7)",
		"<div data-snippet-clipboard-copy-content=\"console.log(typeof (1 < 2))\nVM162:1 boolean\" class=\"highlight highlight-source-js position-relative overflow-auto\"><pre><span class=\"pl-smi\">console</span><span class=\"pl-kos\">.</span><span class=\"pl-en\">log</span><span class=\"pl-kos\">(</span><span class=\"pl-k\">typeof</span> <span class=\"pl-kos\">(</span><span class=\"pl-c1\">1</span> <span class=\"pl-c1\">&lt;</span> <span class=\"pl-c1\">2</span><span class=\"pl-kos\">)</span><span class=\"pl-kos\">)</span>\nVM162:<span class=\"pl-c1\">1</span> <span class=\"pl-s1\">boolean</span></pre></div>",
		"<pre><code class=\"language-js\">console.log(typeof (1 &lt; 2))\nVM162:1 boolean</code></pre>",
	},
	{
		"user mention (answer of discussion 45)",
		"<p dir=\"auto\">안녕하세요. <a href=\"https://github.com/dubipy\" data-octo-dimensions=\"link_type:self\" data-octo-click=\"hovercard-link-click\" data-hovercard-url=\"/users/dubipy/hovercard\" data-hovercard-type=\"user\" class=\"user-mention notranslate\">@dubipy</a> 님!<br>\n코드스테이츠 교육 엔지니어 권준혁 입니다. 🙌</p>",
		"<p>안녕하세요. @dubipy 님!<br/>\n코드스테이츠 교육 엔지니어 권준혁 입니다. 🙌</p>",
	},
	{
		"snippet clipboard (discussion 3)",
		"<div data-snippet-clipboard-copy-content=\"*기운 글씨*\n**두꺼운 글씨**\" class=\"snippet-clipboard-content position-relative overflow-auto\"><pre class=\"notranslate\"><code class=\"notranslate\">*기운 글씨*\n**두꺼운 글씨**\n</code></pre></div>",
		"<pre><code>*기운 글씨*\n**두꺼운 글씨**\n</code></pre>",
	},
	{
		"highlight java with quotes (discussion 3)",
		"<div data-snippet-clipboard-copy-content=\"// 출력되는 코드!\n\nString greeting = &quot;Hello World!&quot;;\n\nSystem.out.println(greeting); // &quot;Hello World!&quot;\" class=\"highlight highlight-source-java position-relative overflow-auto\"><pre><span class=\"pl-c\">// 출력되는 코드!</span>\n\n<span class=\"pl-smi\">String</span> <span class=\"pl-s1\">greeting</span> = <span class=\"pl-s\">\"Hello World!\"</span>;\n\n<span class=\"pl-smi\">System</span>.<span class=\"pl-s1\">out</span>.<span class=\"pl-en\">println</span>(<span class=\"pl-s1\">greeting</span>); <span class=\"pl-c\">// \"Hello World!\"</span></pre></div>",
		"<pre><code class=\"language-java\">// 출력되는 코드!\n\nString greeting = &#34;Hello World!&#34;;\n\nSystem.out.println(greeting); // &#34;Hello World!&#34;</code></pre>",
	},
	{
		"plain pre (discussion 3)",
		"<pre class=\"notranslate\">```java\n이 안쪽에 코드를 넣으면 코드가 예쁘게 보입니다.\n\nString greeting = \"Hello World!\";\n\nSystem.out.println(greeting); // \"Hello World!\"\n```\n\n</pre>",
		"<pre><code>```java\n이 안쪽에 코드를 넣으면 코드가 예쁘게 보입니다.\n\nString greeting = &#34;Hello World!&#34;;\n\nSystem.out.println(greeting); // &#34;Hello World!&#34;\n```\n\n</code></pre>",
	},
}

func TestCleanHTMLCorpusSnippetsAreReal(t *testing.T) {
	plain := corpusPlain(t)
	var all strings.Builder
	for _, d := range plain {
		all.WriteString(d["bodyHTML"].(string))
		if a, ok := d["answer"].(map[string]any); ok {
			all.WriteString(a["bodyHTML"].(string))
		}
	}
	for _, s := range corpusSnippets {
		if !strings.Contains(all.String(), s.in) {
			t.Errorf("%s: snippet not found in the corpus", s.name)
		}
	}
}

func TestCleanHTML(t *testing.T) {
	tests := append([]struct{ name, in, want string }{}, corpusSnippets...)
	tests = append(tests, []struct{ name, in, want string }{
		{
			"highlight with copy button (current GitHub markup)",
			"<div class=\"highlight highlight-source-python notranslate position-relative overflow-auto\" dir=\"auto\"><pre><span class=\"pl-k\">if</span> <span class=\"pl-s1\">a</span> <span class=\"pl-c1\">&lt;</span> <span class=\"pl-c1\">2</span>:\n    <span class=\"pl-en\">print</span>(<span class=\"pl-s\">\"&amp;\"</span>)</pre><div class=\"zeroclipboard-container position-absolute right-0 top-0\">\n    <clipboard-copy aria-label=\"Copy\" class=\"ClipboardButton btn js-clipboard-copy m-2 p-0 tooltipped-no-delay\" data-copy-feedback=\"Copied!\" value=\"if a &lt; 2:\n    print(&quot;&amp;&quot;)\" tabindex=\"0\" role=\"button\">\n      <svg aria-hidden=\"true\" height=\"16\" viewBox=\"0 0 16 16\" version=\"1.1\" width=\"16\" class=\"octicon octicon-copy js-clipboard-copy-icon m-2\"><path d=\"M0 6.75C0\"></path></svg>\n    </clipboard-copy>\n  </div></div>",
			"<pre><code class=\"language-python\">if a &lt; 2:\n    print(&#34;&amp;&#34;)</code></pre>",
		},
		{
			"highlight keeps leading indentation that the clipboard copy trims",
			"<div data-snippet-clipboard-copy-content=\"x = 1\" class=\"highlight highlight-source-js\"><pre>        <span class=\"pl-s1\">x</span> = 1</pre></div>",
			"<pre><code class=\"language-js\">        x = 1</code></pre>",
		},
		{
			"highlight without pre falls back to the clipboard copy",
			"<div data-snippet-clipboard-copy-content=\"a &amp;&amp; b\" class=\"highlight highlight-source-shell\"></div>",
			"<pre><code class=\"language-shell\">a &amp;&amp; b</code></pre>",
		},
		{
			"html scope",
			"<div class=\"highlight highlight-text-html-basic\"><pre><span class=\"pl-kos\">&lt;</span><span class=\"pl-ent\">p</span><span class=\"pl-kos\">&gt;</span></pre></div>",
			"<pre><code class=\"language-html\">&lt;p&gt;</code></pre>",
		},
		{
			"unsafe language name dropped",
			"<div class=\"highlight highlight-source-a&quot;b\"><pre>x</pre></div>",
			"<pre><code>x</code></pre>",
		},
		{
			"pre lang attribute",
			"<pre lang=\"rust\"><code>fn main() {}</code></pre>",
			"<pre><code class=\"language-rust\">fn main() {}</code></pre>",
		},
		{
			"snippet clipboard with copy button",
			"<div class=\"snippet-clipboard-content notranslate position-relative overflow-auto\"><pre class=\"notranslate\"><code>plain\ntext\n</code></pre><div class=\"zeroclipboard-container position-absolute right-0 top-0\"><clipboard-copy aria-label=\"Copy\" value=\"plain\ntext\"><svg class=\"octicon octicon-copy\"></svg></clipboard-copy></div></div>",
			"<pre><code>plain\ntext\n</code></pre>",
		},
		{
			"email reply fragments dropped",
			"<p dir=\"auto\">Thanks, that fixed it.</p>\n<p dir=\"auto\"><span class=\"email-hidden-toggle\"><a href=\"#\">…</a></span></p><div class=\"email-hidden-reply\">\n<div class=\"email-quoted-reply\">On Mon, Jan 1, 2024 at 10:00 AM Someone &lt;notifications@github.com&gt; wrote:<br>\n&gt; quoted</div>\n<div class=\"email-signature-reply\">—<br>Reply to this email directly</div>\n</div>",
			"<p>Thanks, that fixed it.</p>\n",
		},
		{
			"team mention and issue link",
			"<p>cc <a class=\"team-mention js-team-mention notranslate\" data-error-text=\"Failed to load team members\" data-id=\"123\" data-permission-text=\"Team members are private\" data-url=\"/orgs/acme/teams/core/members\" data-hovercard-type=\"team\" data-hovercard-url=\"/orgs/acme/teams/core/hovercard\" href=\"https://github.com/orgs/acme/teams/core\">@acme/core</a>, see <a class=\"issue-link js-issue-link\" data-error-text=\"Failed to load title\" data-id=\"1\" data-permission-text=\"Title is private\" data-url=\"https://github.com/acme/widgets/issues/12\" data-hovercard-type=\"issue\" data-hovercard-url=\"/acme/widgets/issues/12/hovercard\" href=\"https://github.com/acme/widgets/issues/12\">#12</a></p>",
			"<p>cc @acme/core, see <a href=\"https://github.com/acme/widgets/issues/12\">#12</a></p>",
		},
		{
			"heading anchor (older markup)",
			"<h2 dir=\"auto\"><a id=\"user-content-install\" class=\"anchor\" aria-hidden=\"true\" href=\"#install\"><svg class=\"octicon octicon-link\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><path fill-rule=\"evenodd\" d=\"M7.775\"></path></svg></a>Install</h2>",
			"<h2>Install</h2>",
		},
		{
			"heading anchor (current markup)",
			"<div class=\"markdown-heading\" dir=\"auto\"><h2 tabindex=\"-1\" class=\"heading-element\" dir=\"auto\">Install</h2><a id=\"user-content-install\" class=\"anchor\" aria-label=\"Permalink: Install\" href=\"#install\"><svg class=\"octicon octicon-link\" viewBox=\"0 0 16 16\"><path d=\"m7.775\"></path></svg></a></div>",
			"<h2>Install</h2>",
		},
		{
			"task list",
			"<ul class=\"contains-task-list\">\n<li class=\"task-list-item\"><input type=\"checkbox\" id=\"\" disabled=\"\" class=\"task-list-item-checkbox\" checked=\"\"> done</li>\n<li class=\"task-list-item\"><input type=\"checkbox\" id=\"\" disabled=\"\" class=\"task-list-item-checkbox\"> todo</li>\n</ul>",
			"<ul>\n<li>[x] done</li>\n<li>[ ] todo</li>\n</ul>",
		},
		{
			"g-emoji",
			"<p>nice <g-emoji class=\"g-emoji\" alias=\"+1\" fallback-src=\"https://github.githubassets.com/images/icons/emoji/unicode/1f44d.png\">👍</g-emoji> and <g-emoji alias=\"shipit\"></g-emoji></p>",
			"<p>nice 👍 and :shipit:</p>",
		},
		{
			"links and images keep their meaning",
			"<p><a href=\"https://camo.example/x\" rel=\"noopener noreferrer nofollow\" target=\"_blank\"><img src=\"https://camo.example/x\" data-canonical-src=\"https://example.com/x.png\" alt=\"screen\" style=\"max-width: 100%;\" width=\"300\"></a></p>",
			"<p><a href=\"https://camo.example/x\" rel=\"noopener noreferrer nofollow\" target=\"_blank\"><img src=\"https://camo.example/x\" alt=\"screen\" width=\"300\"/></a></p>",
		},
		{
			"text kept",
			"<p>a &lt;b&gt; &amp; \"c\" 'd' ✓ <code class=\"notranslate\">x &lt; y</code></p>",
			"<p>a &lt;b&gt; &amp; &#34;c&#34; &#39;d&#39; ✓ <code>x &lt; y</code></p>",
		},
		{"empty", "", ""},
	}...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanHTML(tc.in); got != tc.want {
				t.Errorf("CleanHTML:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

var (
	rawPre   = regexp.MustCompile(`(?s)(?:<div data-snippet-clipboard-copy-content="[^"]*" class="highlight highlight-source-([^ "]+)[^"]*">)?<pre[^>]*>(.*?)</pre>`)
	cleanPre = regexp.MustCompile(`(?s)<pre><code(?: class="language-([^"]+)")?>(.*?)</code></pre>`)
	tags     = regexp.MustCompile(`<[^>]*>`)
)

// TestCleanHTMLCorpusCode checks, on every body of the corpus, that each code
// block comes out with its language and exactly its text. The expected side
// is computed with regular expressions, not with the HTML parser.
func TestCleanHTMLCorpusCode(t *testing.T) {
	plain := corpusPlain(t)
	var bodies []string
	for _, d := range plain {
		bodies = append(bodies, d["bodyHTML"].(string))
		if a, ok := d["answer"].(map[string]any); ok {
			bodies = append(bodies, a["bodyHTML"].(string))
		}
	}
	blocks := 0
	for i, b := range bodies {
		var want, got []string
		for _, m := range rawPre.FindAllStringSubmatch(b, -1) {
			want = append(want, m[1]+"|"+html.UnescapeString(tags.ReplaceAllString(m[2], "")))
		}
		out := CleanHTML(b)
		for _, m := range cleanPre.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1]+"|"+html.UnescapeString(m[2]))
		}
		blocks += len(want)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("body %d: code blocks differ:\n got %q\nwant %q", i, got, want)
		}
		for _, junk := range []string{"data-", "pl-", "user-mention", "snippet-clipboard", "hovercard"} {
			if strings.Contains(tags.ReplaceAllStringFunc(out, func(s string) string {
				if strings.HasPrefix(s, "<a ") || strings.HasPrefix(s, "<img ") {
					return strings.Split(s, "href=")[0] // URLs may contain anything
				}
				return s
			}), junk) {
				t.Errorf("body %d: %q left in output", i, junk)
			}
		}
		if tags.ReplaceAllString(out, "") == "" && tags.ReplaceAllString(b, "") != "" {
			t.Errorf("body %d: all text lost", i)
		}
	}
	if blocks < 30 {
		t.Errorf("only %d code blocks seen; the corpus has more", blocks)
	}
}
