package discourse

import "testing"

func TestRewriteMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
		bbcode         bool
	}{
		{
			name: "upload image with display size (urho3d 6454 #1)",
			in:   "Here:\n\n![image|690x381](upload://1uHmv6kWbMEHRPpvwC96TmPTwSZ.jpeg)",
			want: "Here:\n\n![image](https://forum.example.org/uploads/short-url/1uHmv6kWbMEHRPpvwC96TmPTwSZ.jpeg)",
		},
		{
			name: "image size with percentage",
			in:   "![shot.png|500x300, 50%](upload://a.png)",
			want: "![shot.png](https://forum.example.org/uploads/short-url/a.png)",
		},
		{
			name: "relative links, reference definitions and HTML attributes",
			in:   "See [this](/t/other/12/3) and [me](/u/ann).\n\n[ref]: /uploads/default/original/a.zip \"A\"\n\n<img src=\"/uploads/x.png\"> [cdn](//cdn.example.org/a)",
			want: "See [this](https://forum.example.org/t/other/12/3) and [me](https://forum.example.org/u/ann).\n\n[ref]: https://forum.example.org/uploads/default/original/a.zip \"A\"\n\n<img src=\"https://forum.example.org/uploads/x.png\"> [cdn](https://cdn.example.org/a)",
		},
		{
			name: "absolute and anchor links stay",
			in:   "[a](https://e.org/t/1) [b](#x) [c](mailto:a@b.c)",
			want: "[a](https://e.org/t/1) [b](#x) [c](mailto:a@b.c)",
		},
		{
			name: "code is never touched",
			in:   "```\n![x|1x1](upload://a.png) [l](/t/1)\n[quote=\"a\"]\n```\n\n    [l](/t/2)\n\nand `[l](/t/3)` but [l](/t/4)",
			want: "```\n![x|1x1](upload://a.png) [l](/t/1)\n[quote=\"a\"]\n```\n\n    [l](/t/2)\n\nand `[l](/t/3)` but [l](https://forum.example.org/t/4)",
		},
		{
			name: "tilde fence and longer closing fence",
			in:   "~~~~ go\n[l](/t/1)\n~~~\nstill code\n~~~~~\n[l](/t/2)",
			want: "~~~~ go\n[l](/t/1)\n~~~\nstill code\n~~~~~\n[l](https://forum.example.org/t/2)",
		},
		{
			name: "quote becomes a blockquote led by the name (urho3d 6454 #7)",
			in:   "[quote=\"najak3d, post:5, topic:6454\"]\n“Graphics.GetFormat(CompressedFormatEnum)”\n[/quote]\n1bpp luminance texture is _not_ compressed format.",
			want: "> najak3d:\n>\n> “Graphics.GetFormat(CompressedFormatEnum)”\n\n1bpp luminance texture is _not_ compressed format.",
		},
		{
			name: "nested quotes and a quote without a name",
			in:   "[quote=\"a, post:1, topic:2\"]\n[quote]\ninner\n[/quote]\nouter\n[/quote]",
			want: "> a:\n>\n> > inner\n>\n> outer\n",
		},
		{
			name: "code inside a quote",
			in:   "[quote=b]\n```\nx := 1\n```\n[/quote]",
			want: "> b:\n>\n> ```\n> x := 1\n> ```\n",
		},
		{
			name:   "BBCode is reported (urho3d 1025 #2)",
			in:     "see this: [url]http://urho3d.github.io/documentation/HEAD/_urho2_d.html[/url]\n[code]<texture>\n[/code]",
			want:   "see this: [url]http://urho3d.github.io/documentation/HEAD/_urho2_d.html[/url]\n[code]<texture>\n[/code]",
			bbcode: true,
		},
		{
			name:   "an inline quote is BBCode too",
			in:     "[quote=\"piltwort\"]the lines repeat.[/quote]\n\nYeah",
			want:   "[quote=\"piltwort\"]the lines repeat.[/quote]\n\nYeah",
			bbcode: true,
		},
		{
			name: "BBCode-like text inside code is not BBCode",
			in:   "`a[i]` and\n\n```\n[code]x[/code]\n```",
			want: "`a[i]` and\n\n```\n[code]x[/code]\n```",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bb := rewriteMarkdown(tt.in, site)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if bb != tt.bbcode {
				t.Errorf("bbcode = %v, want %v", bb, tt.bbcode)
			}
		})
	}
}

func TestRewriteMarkdownNoSite(t *testing.T) {
	in := "![a|10x10](upload://a.png) [b](/t/x/1) [c](//cdn.example.org/c)"
	want := "![a](upload://a.png) [b](/t/x/1) [c](https://cdn.example.org/c)"
	if got := RewriteMarkdown(in, ""); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
