package discourse

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/kbsync/kbsync/sync/forum"
)

const site = "https://forum.example.org"

func TestCleanCooked(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "lightbox (urho3d 6454 #1, real)",
			in:   `<p><div class="lightbox-wrapper"><a class="lightbox" href="https://global.discourse-cdn.com/standard17/uploads/urho3d/original/2X/0/0a7a8fe9fade30e8f290edd6bd00e234f649a149.jpeg" data-download-href="/uploads/short-url/1uHmv6kWbMEHRPpvwC96TmPTwSZ.jpeg?dl=1" title="image" rel="noopener nofollow ugc"><img src="https://global.discourse-cdn.com/standard17/uploads/urho3d/optimized/2X/0/0a7a8fe9fade30e8f290edd6bd00e234f649a149_2_690x381.jpeg" alt="image" data-base62-sha1="1uHmv6kWbMEHRPpvwC96TmPTwSZ" width="690" height="381" srcset="https://global.discourse-cdn.com/x_2_690x381.jpeg, https://global.discourse-cdn.com/x_2_1035x571.jpeg 1.5x" data-small-upload="https://global.discourse-cdn.com/x_2_10x10.png"><div class="meta"><svg class="fa d-icon d-icon-far-image svg-icon" aria-hidden="true"><use xlink:href="#far-image"></use></svg><span class="filename">image</span><span class="informations">1548×857 839 KB</span><svg class="fa d-icon d-icon-discourse-expand svg-icon" aria-hidden="true"><use xlink:href="#discourse-expand"></use></svg></div></a></div></p>`,
			want: `<p><img src="https://global.discourse-cdn.com/standard17/uploads/urho3d/optimized/2X/0/0a7a8fe9fade30e8f290edd6bd00e234f649a149_2_690x381.jpeg" alt="image"/></p>`,
		},
		{
			name: "old lightbox, protocol-relative, alt from title (mozilla 1148 #2, real)",
			in: `<p><div class="lightbox-wrapper"><a href="//csa-discourse-uploads.s3-us-west-1.amazonaws.com/original/2X/b/bce1.png" class="lightbox" title="a.png"><img src="//csa-discourse-uploads.s3-us-west-1.amazonaws.com/optimized/2X/b/bce1_1_645x499.png" width="645" height="499"><div class="meta">
<span class="filename">a.png</span><span class="informations">800x620 97.3 KB</span><span class="expand"></span>
</div></a></div></p>`,
			want: `<p><img src="https://csa-discourse-uploads.s3-us-west-1.amazonaws.com/optimized/2X/b/bce1_1_645x499.png" alt="a.png"/></p>`,
		},
		{
			name: "lightbox after text in a paragraph (urho3d 1025 #12)",
			in:   `<p>This is what I get:<br>` + "\n" + `<div class="lightbox-wrapper"><a class="lightbox" href="http://i.imgur.com/M.png" title=""><img src="http://i.imgur.com/M.png" alt="" width="690" height="431"><div class="meta"><span class="filename"></span><span class="informations">960×600</span></div></a></div></p>`,
			want: `<p>This is what I get:<br/>` + "\n" + `</p><p><img src="http://i.imgur.com/M.png" alt=""/></p>`,
		},
		{
			name: "lightbox inside a list item stays inline",
			in:   `<ul><li>see <a class="lightbox" href="/uploads/default/original/1X/a.png"><img src="/uploads/default/optimized/1X/a_2_10x10.png" alt="shot"><div class="meta">10×10 1 KB</div></a></li></ul>`,
			want: `<ul><li>see <img src="https://forum.example.org/uploads/default/optimized/1X/a_2_10x10.png" alt="shot"/></li></ul>`,
		},
		{
			name: "quote with avatar (urho3d 6454 #5, real)",
			in: `<aside class="quote no-group" data-username="SirNate0" data-post="4" data-topic="6454">
<div class="title">
<div class="quote-controls"></div>
<img alt="" width="20" height="20" src="https://avatars.discourse-cdn.com/v4/letter/s/9f8e36/40.png" class="avatar"> SirNate0:</div>
<blockquote>
<p>GetLuminanceFormat</p>
</blockquote>
</aside>
<p>Ah shoot, Tile <span class="hashtag">#1</span> will use RG.</p>`,
			want: "<blockquote><p>SirNate0:</p>\n<p>GetLuminanceFormat</p>\n</blockquote>\n<p>Ah shoot, Tile #1 will use RG.</p>",
		},
		{
			name: "old quote (mozilla 1148 #4, real)",
			in: `<aside class="quote" data-post="3" data-topic="1148"><div class="title">
<div class="quote-controls"></div>
<img alt="" width="20" height="20" src="https://discourse.mozilla-community.org/letter_avatar_proxy/v2/letter/n/e95f7d/40.png" class="avatar">noisycitytoonoisy:</div>
<blockquote><p>Is "reply" the only option to ask a question?</p></blockquote></aside>`,
			want: `<blockquote><p>noisycitytoonoisy:</p><p>Is &#34;reply&#34; the only option to ask a question?</p></blockquote>`,
		},
		{
			name: "quote without a title uses data-username",
			in:   `<aside class="quote" data-username="ann"><blockquote><p>hi <img class="emoji" title=":wave:" alt=":wave:" src="/images/emoji/twitter/wave.png"></p></blockquote></aside>`,
			want: `<blockquote><p>ann:</p><p>hi 👋</p></blockquote>`,
		},
		{
			name: "quote from another topic keeps the topic link",
			in:   `<aside class="quote" data-post="2" data-topic="7"><div class="title"><div class="quote-controls"></div><img class="avatar" src="/a.png"> <a href="/t/other/7/2">Other topic</a></div><blockquote><p>text</p></blockquote></aside>`,
			want: `<blockquote><p><a href="https://forum.example.org/t/other/7/2">Other topic</a></p><p>text</p></blockquote>`,
		},
		{
			name: "nested quote",
			in:   `<aside class="quote" data-username="a"><div class="title">a:</div><blockquote><aside class="quote" data-username="b"><div class="title">b:</div><blockquote><p>inner</p></blockquote></aside><p>outer</p></blockquote></aside>`,
			want: `<blockquote><p>a:</p><blockquote><p>b:</p><p>inner</p></blockquote><p>outer</p></blockquote>`,
		},
		{
			name: "emoji (urho3d 1025 #7, real)",
			in:   `<p>building Urho3D). <img src="https://emoji.discourse-cdn.com/twitter/wink.png?v=5" title=":wink:" class="emoji" alt=":wink:"></p>`,
			want: `<p>building Urho3D). 😉</p>`,
		},
		{
			name: "emoji with skin tone and unknown or custom emoji",
			in:   `<p><img class="emoji" title=":+1:t3:" alt=":+1:t3:" src="/e.png"> <img class="emoji emoji-custom" title=":parrot_party:" alt=":parrot_party:" src="/p.gif"> <img class="emoji only-emoji" alt=":man_shrugging:t2:"></p>`,
			want: "<p>👍\U0001F3FC :parrot_party: 🤷\U0001F3FB\u200d♂️</p>",
		},
		{
			name: "onebox aside (urho3d 3785 #2, real)",
			in: `<pre><code class="lang-auto">SetTextureRect(rect);
SetUseTextureRect(true);
</code></pre>
<aside class="onebox whitelistedgeneric">
  <header class="source">
      <a href="https://urho3d.github.io/documentation/HEAD/class_urho3_d_1_1_static_sprite2_d.html" target="_blank" rel="nofollow noopener">Urho3D</a>
  </header>
  <article class="onebox-body">
<h3><a href="https://urho3d.github.io/documentation/HEAD/class_urho3_d_1_1_static_sprite2_d.html" target="_blank" rel="nofollow noopener">Urho3D::StaticSprite2D Class Reference</a></h3>
<p>Urho3D is a free lightweight, cross-platform 2D and 3D game engine.</p>
  </article>
  <div class="onebox-metadata">
  </div>
  <div style="clear: both"></div>
</aside>
`,
			want: "<pre><code>SetTextureRect(rect);\nSetUseTextureRect(true);\n</code></pre>\n" +
				`<p><a href="https://urho3d.github.io/documentation/HEAD/class_urho3_d_1_1_static_sprite2_d.html">Urho3D::StaticSprite2D Class Reference</a></p>` + "\n",
		},
		{
			name: "div onebox with data-onebox-src and no heading",
			in:   `<div class="onebox" data-onebox-src="https://example.com/x"><a href="https://example.com/x?utm=1">example.com</a></div>`,
			want: `<p><a href="https://example.com/x">example.com</a></p>`,
		},
		{
			name: "youtube lazy video",
			in:   `<div class="youtube-onebox lazy-video-container" data-video-id="abc" data-video-title="A talk" data-provider-name="youtube"><a href="https://www.youtube.com/watch?v=abc" target="_blank"><img class="youtube-thumbnail" src="https://img.youtube.com/vi/abc/maxresdefault.jpg"></a></div>`,
			want: `<p><a href="https://www.youtube.com/watch?v=abc">A talk</a></p>`,
		},
		{
			name: "inline onebox link is a plain link",
			in:   `<p><a href="https://example.com/page" class="inline-onebox">Page title</a></p>`,
			want: `<p><a href="https://example.com/page">Page title</a></p>`,
		},
		{
			name: "mentions",
			in:   `<p>Thanks <a class="mention" href="/u/ann">@ann</a> and <a class="mention-group notify" href="/groups/staff">@staff</a>, <span class="mention">@ghost</span></p>`,
			want: `<p>Thanks @ann and @staff, @ghost</p>`,
		},
		{
			name: "relative, upload and anchor links",
			in:   `<p><a href="/t/other-topic/12/3">other</a> <a href="upload://abc123.zip">file.zip</a> <a href="#heading">up</a> <a href="mailto:a@example.org">mail</a> <img src="/uploads/default/original/1X/x.png" alt="x"></p>`,
			want: `<p><a href="https://forum.example.org/t/other-topic/12/3">other</a> <a href="https://forum.example.org/uploads/short-url/abc123.zip">file.zip</a> <a href="#heading">up</a> <a href="mailto:a@example.org">mail</a> <img src="https://forum.example.org/uploads/default/original/1X/x.png" alt="x"/></p>`,
		},
		{
			name: "code blocks keep every byte and the language",
			in:   "<pre><code class=\"lang-cpp\">if (a &lt; b &amp;&amp; c) {\n\treturn &quot;x&quot;; // &lt;img class=&quot;emoji&quot;&gt;?\n}\n</code></pre>",
			want: "<pre><code class=\"language-cpp\">if (a &lt; b &amp;&amp; c) {\n\treturn &#34;x&#34;; // &lt;img class=&#34;emoji&#34;&gt;?\n}\n</code></pre>",
		},
		{
			name: "heading anchors, styles and data attributes go",
			in:   `<h2><a name="p-1-setup-1" class="anchor" href="#p-1-setup-1"></a>Setup</h2><div class="md-table"><table><tr><th style="text-align:left" colspan="2">A</th></tr></table></div>`,
			want: `<h2>Setup</h2><div><table><tbody><tr><th colspan="2">A</th></tr></tbody></table></div>`,
		},
		{
			name: "scripts and comments go, text stays",
			in:   `<p>a<!-- c --><script>alert(1)</script>b</p>`,
			want: `<p>ab</p>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanCooked(tt.in, site)
			if got != tt.want {
				t.Errorf("CleanCooked:\n got %q\nwant %q", got, tt.want)
			}
			if again := CleanCooked(got, site); again != got {
				t.Errorf("not idempotent:\nonce  %q\ntwice %q", got, again)
			}
		})
	}
}

func TestCleanCookedNoSite(t *testing.T) {
	got := CleanCooked(`<a href="/t/x/1">x</a><img src="//cdn.example.org/a.png"><a href="upload://abc.png">f</a>`, "")
	want := `<a href="/t/x/1">x</a><img src="https://cdn.example.org/a.png"/><a href="upload://abc.png">f</a>`
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestCleanCookedSubfolderSite(t *testing.T) {
	got := CleanCooked(`<a href="/forum/t/x/1">x</a> <a href="/u/ann">ann</a>`, "https://example.org/forum")
	want := `<a href="https://example.org/forum/t/x/1">x</a> <a href="https://example.org/forum/u/ann">ann</a>`
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestEmojiChar(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{":smile:", "😄", true},
		{":+1:", "👍", true},
		{":point_up:t6:", "☝\U0001F3FF", true},
		{":heart:", "❤️", true},
		{":no_such_emoji:", "", false},
		{":smile:t9:", "", false},
	}
	for _, tt := range tests {
		got, ok := emojiChar(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("emojiChar(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for name, s := range emojiChars {
		if !utf8.ValidString(s) || s == "" || strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz:") {
			t.Errorf("emoji %q maps to %q", name, s)
		}
	}
}

func FuzzCleanCooked(f *testing.F) {
	for _, s := range []string{
		`<p><div class="lightbox-wrapper"><a class="lightbox" href="/x"><img src="/y" alt="i"><div class="meta">1×1 1 KB</div></a></div></p>`,
		`<aside class="quote" data-username="u"><div class="title"><img class="avatar">u:</div><blockquote><p>q</p></blockquote></aside>`,
		`<aside class="onebox"><header class="source"><a href="https://e.org">e</a></header><h3>T</h3></aside>`,
		`<img class="emoji" alt=":smile:"><a class="mention" href="/u/a">@a</a>`,
		"<pre><code class=\"lang-go\">x := `a`\n</code></pre>",
		`<table><p><div class="onebox"></div></p></table>`,
		"\xff\x00<p>\r\n</p>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := CleanCooked(in, site)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output %q", out)
		}
		for _, bad := range []string{"lightbox", "class=\"avatar", "data-", "style="} {
			// Control characters are dropped ("light\x05box" is text) and
			// tag names lowercased ("<AdAtA->" is an element <adata->).
			if strings.Contains(out, bad) && !strings.Contains(strings.ToLower(forum.CleanText(in)), bad) {
				t.Fatalf("output has %q that input lacked: %q", bad, out)
			}
		}
		again := CleanCooked(out, site)
		if again != out && roundTrips(out) && roundTrips(again) {
			t.Fatalf("not idempotent:\nin    %q\nonce  %q\ntwice %q", in, out, again)
		}
	})
}

// roundTrips reports whether parsing and rendering s gives s back: where it
// does not (misnested HTML that the parser repairs differently each time),
// idempotence cannot hold for any HTML rewriter.
func roundTrips(s string) bool {
	ctx := &html.Node{Type: html.ElementNode, Data: "body"}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return false
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return false
		}
	}
	return b.String() == s
}
