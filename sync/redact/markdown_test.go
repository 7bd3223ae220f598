package redact

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

const mail = "jane.doe@acme-corp.com"

func TestMarkdownPlacement(t *testing.T) {
	r := newRedactor(t, Config{})
	for _, c := range []struct {
		name, in, want string
		held           bool
	}{
		{"prose", "Contact " + mail + " today.", `Contact \[redacted email\] today.`, false},
		{"before-paren", mail + "(work)", `\[redacted email\](work)`, false},
		{"line-start-colon", mail + ": mine", `\[redacted email\]: mine`, false},
		{"heading", "# Mail " + mail, `# Mail \[redacted email\]`, false},
		{"emphasis", "**" + mail + "**", `**\[redacted email\]**`, false},
		{"table", "| who | mail |\n|---|---|\n| Jane | " + mail + " |", "| who | mail |\n|---|---|\n| Jane | \\[redacted email\\] |", false},
		{"fenced", "```\nMAIL=" + mail + "\n```", "```\nMAIL=[redacted email]\n```", false},
		{"fence-info", "```sh mail=" + mail + "\nls\n```", "```sh mail=\\[redacted email\\]\nls\n```", true},
		{"indented", "text\n\n    mail " + mail + "\n", "text\n\n    mail [redacted email]\n", false},
		{"code-span", "Use `" + mail + "` there.", "Use `[redacted email]` there.", false},
		{"mailto", "[write me](mailto:" + mail + ")", "write me", false},
		{"mailto-same-text", "[" + mail + "](mailto:" + mail + ")", `\[redacted email\]`, false},
		{"mailto-empty-text", "x [](mailto:" + mail + ") y", `x \[redacted email\] y`, false},
		{"mailto-angle", "[me](<mailto:" + mail + ">)", "me", false},
		{"mailto-rule-text", "[---](mailto:" + mail + ")", "[---](#redacted)", false},
		{"mailto-list-text", "[1. me](mailto:" + mail + ")", "[1. me](#redacted)", false},
		{"mailto-after-text", "Para\n[---](mailto:" + mail + ")", "Para\n[---](#redacted)", false},
		{"token-in-link", "see [hook](https://hooks.acme-corp.com/?t=" + fakeStripe + ")", "see hook", false},
		{"image-url", "![chart](https://cdn.acme-corp.com/c.png?email=" + mail + ")", "chart", false},
		{"image-alt", "![" + mail + "](https://cdn.acme-corp.com/a.png)", `![\[redacted email\]](https://cdn.acme-corp.com/a.png)`, false},
		{"link-title", `[site](https://acme-corp.com "mail ` + mail + `")`, `[site](https://acme-corp.com "mail \[redacted email\]")`, false},
		{"link-in-image-link", "[![logo](https://x.acme-corp.com/l.png)](mailto:" + mail + ")", "![logo](https://x.acme-corp.com/l.png)", false},
		{"autolink", "Mail <" + mail + "> now", `Mail \[redacted email\] now`, false},
		{"autolink-url", "<https://alice:" + fakeSecret + "@git.acme-corp.com/x>", `\[redacted secret: url-credentials\]`, false},
		{"ref-def", "See [me][1].\n\n[1]: mailto:" + mail + "\n", "See [me][1].\n\n[1]: #redacted\n", false},
		{"ref-def-title", "See [me][1].\n\n[1]: https://acme-corp.com \"" + mail + "\"\n", "See [me][1].\n\n[1]: https://acme-corp.com \"\\[redacted email\\]\"\n", false},
		{"quote", "> ask " + mail + "\n> again", "> ask \\[redacted email\\]\n> again", false},
		{"list", "- one\n- mail " + mail + "\n", "- one\n- mail \\[redacted email\\]\n", false},
		{"raw-html", "Mail <span>" + mail + "</span>", `Mail <span>\[redacted email\]</span>`, false},
		{"html-block", "<div>\n" + mail + "\n</div>", "<div>\n[redacted email]\n</div>", false},
		{"two-in-line", mail + " and bob@acme-corp.com", `\[redacted email\] and \[redacted email\]`, false},
		{"key-across-blocks", "-----BEGIN RSA " + "PRIVATE KEY-----\n\n    " + strings.ReplaceAll(fakeKeyBody, "\n", "\n    ") + "\n\n-----END RSA " + "PRIVATE KEY-----\n",
			`\[redacted private key\]` + "\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, res := r.Text(c.in)
			if out != c.want {
				t.Errorf("got\n%s\nwant\n%s", out, c.want)
			}
			if res.Held != c.held {
				t.Errorf("held = %v (%s), want %v", res.Held, res.HeldReason, c.held)
			}
			if len(res.Findings) == 0 {
				t.Error("no findings")
			}
			if again, res2 := r.Text(out); again != out || len(res2.Findings) > 0 || res2.Held {
				t.Errorf("second pass changed it: %q %+v", again, res2)
			}
			if !res.Held {
				assertSameBlocks(t, c.in, out)
			}
			if html := render(t, out); strings.Contains(html, "redacted") && strings.Contains(html, `href="#redacted`) && !strings.Contains(c.name, "ref-def") && !strings.Contains(c.in, "[---]") && !strings.Contains(c.in, "[1. ") {
				t.Errorf("a placeholder became a link: %s", html)
			}
		})
	}
}

// A placeholder must never turn into a link, even when the document defines
// a reference with its text.
func TestPlaceholderIsNotALink(t *testing.T) {
	r := newRedactor(t, Config{})
	in := "Write to " + mail + ".\n\n[redacted email]: https://evil.example\n"
	out, _ := r.Text(in)
	html := render(t, out)
	if strings.Contains(html, "evil.example") {
		t.Errorf("placeholder linked to a definition:\n%s", html)
	}
	if !strings.Contains(html, "[redacted email]") {
		t.Errorf("placeholder not rendered as text:\n%s", html)
	}
}

func TestPlain(t *testing.T) {
	r := newRedactor(t, Config{})
	out, res := r.Plain("Question from " + mail + " about " + fakeGitHubPAT)
	want := "Question from [redacted email] about [redacted secret: github-pat]"
	if out != want || len(res.Findings) != 2 {
		t.Errorf("got %q %+v", out, res)
	}
	if again, res := r.Plain(out); again != out || len(res.Findings) > 0 {
		t.Errorf("Plain not idempotent: %q", again)
	}
}

func render(t *testing.T, md string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := goldmark.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// blockKinds lists the block structure of a document: redaction may change
// words and drop links, never the blocks.
func blockKinds(md string) string {
	doc := goldmark.New().Parser().Parse(text.NewReader([]byte(md)))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Type() == ast.TypeBlock {
			b.WriteString(n.Kind().String())
			b.WriteByte(' ')
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

func assertSameBlocks(t *testing.T, in, out string) {
	t.Helper()
	if a, b := blockKinds(in), blockKinds(out); a != b {
		t.Errorf("block structure changed:\n%s\n%s\n---\n%s", a, b, out)
	}
}
