package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"go.yaml.in/yaml/v3"
)

// hostileCase is one thread of a hostile export.
type hostileCase struct {
	title, question, answer string // HTML bodies
	wantTitle               string // the title as the article must carry it; "" to skip the check
}

// canaries are values that must appear nowhere kbsync writes or prints.
// The secrets are assembled here so that the repository itself holds no
// string a secret scanner would flag.
func canaries() []string {
	return []string{
		"jane.customer@acme-mail.com",
		"+44 20 7946 0958",
		"4539 1488 0343 6467",
		"DE44 5001 0517 5407 3249 31",
		"ghp_" + strings.Repeat("aB3dE6gH9j", 3) + "kLmN0p",
		"AKIA" + "IOSFODNN7QWERTYZ",
		"xoxb-" + "2415761094-2415761095-AbCdEfGhIjKlMnOpQrStUvWx",
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUgRG9lIn0" + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
		"MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8Zrvyx6lYYwbp1lUmbyZW0YxK",
		"S3cretPassw0rd",
		strings.Repeat("Zq8", 14),
		"Hunter2Secret9",
		"Pa55word9",
	}
}

func hostileCases() []hostileCase {
	c := canaries()
	return []hostileCase{
		{title: "How do I reset my password?", wantTitle: "How do I reset my password?",
			question: "<p>Write to me at " + c[0] + " or call " + c[1] + ".</p>",
			answer: "<p>Use the reset page. My card " + c[2] + ", IBAN " + c[3] + ".</p><pre><code>export GITHUB_TOKEN=" + c[4] +
				"\naws_access_key_id = " + c[5] + "\nSLACK=" + c[6] + "\n</code></pre><p>JWT: <code>" + c[7] + "</code></p>" +
				"<pre><code>-----BEGIN RSA PRIVATE KEY-----\n" + c[8] + "\nq1bE0TnG3hwQTBcmsM6r7aY1uEgjR2uAgbV4S8gmWfnJJZlOEmz1f0dAa36fcPWz\n-----END RSA PRIVATE KEY-----\n</code></pre>" +
				"<pre><code>curl -u admin:" + c[9] + " https://api.acme.io\ncurl -H \"Authorization: Bearer " + c[10] + "\" https://api.acme.io\npassword=" + c[11] +
				"\ngit clone https://deploy:" + c[12] + "@git.acme.io/repo.git\n</code></pre>"},
		{title: "Why does <script>alert(1)</script> show?", wantTitle: "Why does <script>alert(1)</script> show?",
			question: `<p><a href="javascript:alert(1)">click</a> <a href="JaVaScRiPt&#x3a;alert(2)">two</a> <a href="&#14;javascript:alert(3)">three</a> <a href="vbscript:msgbox(4)">four</a></p>` +
				`<p><img src="data:image/svg+xml,<svg onload=alert(5)>" alt="svg"> <img src="x" onerror="alert(6)"> <a href="data:text/html;base64,PHNjcmlwdD4=">d</a> <a href="file:///etc/passwd">f</a></p>`,
			answer: `<script>alert(7)</script><iframe src="https://evil.example"></iframe><div onclick="alert(8)">ok</div><details ontoggle="alert(9)" open><summary>s</summary>x</details><svg><script>alert(10)</script></svg>`},
		{title: "Title: with --- \"quotes\" #hash & *star* !tag %TAG @at `tick` yes", wantTitle: "Title: with --- \"quotes\" #hash & *star* !tag %TAG @at `tick` yes",
			question: "<p>{{< youtube abc >}} and {{% param \"x\" %}} and {% include evil.html %} and {{ site.title }} and ${{ secrets.TOKEN }}</p>",
			answer:   "<pre><code>{{< shortcode >}} inside code\n{% raw %}</code></pre><p>done</p>"},
		{title: "evil\n---\ndraft: false\nlayout: evil", wantTitle: "evil --- draft: false layout: evil",
			question: "<p>front matter injection</p>", answer: "<p>none</p>"},
		{title: "../../etc/passwd", wantTitle: "../../etc/passwd", question: "<p>path</p>", answer: "<p>escape</p>"},
		{title: "CON", wantTitle: "CON", question: "<p>reserved</p>", answer: "<p>name</p>"},
		{title: ".github/workflows/x.yml", wantTitle: ".github/workflows/x.yml", question: "<p>dot</p>", answer: "<p>folder</p>"},
		{title: "Install Go", wantTitle: "Install Go", question: "<p>case 1</p>", answer: "<p>one</p>"},
		{title: "install go", wantTitle: "install go", question: "<p>case 2</p>", answer: "<p>two</p>"},
		{title: "Cafe\u0301 au lait", question: "<p>NFD</p>", answer: "<p>one</p>"},
		{title: "Café au lait", question: "<p>NFC</p>", answer: "<p>two</p>"},
		{title: "Bidi \u202etxt.exe and zero\u200bwidth", question: "<p>spoof \u202egnp.exe</p>", answer: "<p>text</p>"},
		{title: "ANSI \x1b]52;c;aGVsbG8=\x07 and \x1b[2J clear", question: "<p>terminal</p>", answer: "<p>escapes</p>"},
		{title: strings.Repeat("A very long title that keeps going ", 12), question: "<p>long</p>", answer: "<p>slug</p>"},
		{title: "🙂🙂🙂", question: "<p>emoji only</p>", answer: "<p>id-based slug</p>"},
	}
}

// hostileExports writes the cases in every format kbsync reads.
func hostileExports(t *testing.T, dir string) map[string]string {
	cs := hostileCases()
	out := map[string]string{}
	w := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const when = "2024-03-01T10:00:00Z"

	var lines []string
	for i, c := range cs {
		lines = append(lines, js(map[string]any{"id": fmt.Sprint(i + 1), "title": c.title, "url": fmt.Sprintf("https://forum.example.com/t/%d", i+1),
			"question": map[string]any{"body": c.question, "format": "html", "author": "asker", "created": when},
			"answer":   map[string]any{"id": fmt.Sprint(100 + i), "body": c.answer, "format": "html", "author": "helper", "created": when}}))
	}
	lines = append(lines, js(map[string]any{"id": "md", "title": "Markdown attacks", "question": map[string]any{"body": "[x](javascript&colon;alert(1)) [r][ref] <javascript:alert(2)> ![i](data:image/svg+xml,<svg onload=alert(3)>)\n\n[ref]: javascript:alert(4)\n\n<div onclick=alert(5)>raw block</div>\n\n<img src=x onerror=alert(6)>", "format": "markdown", "author": "a", "created": when},
		"answer": map[string]any{"id": "md0", "body": "Mail " + canaries()[0] + " and [link](https://x.example/?token=" + canaries()[4] + ")", "format": "markdown", "author": "b", "created": when}}))
	out["jsonl"] = w("jsonl/threads.jsonl", strings.Join(lines, "\n")+"\n")

	var rows strings.Builder
	rows.WriteString("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n")
	attr := func(s string) string {
		s = html.EscapeString(s)
		return strings.NewReplacer("\n", "&#xA;", "\x1b", "", "\x07", "").Replace(s)
	}
	for i, c := range cs {
		q, a := 2*i+1, 2*i+2
		fmt.Fprintf(&rows, "  <row Id=\"%d\" PostTypeId=\"1\" AcceptedAnswerId=\"%d\" CreationDate=\"2024-03-01T10:00:00.000\" Score=\"1\" Body=\"%s\" OwnerDisplayName=\"asker\" Title=\"%s\" Tags=\"&lt;security&gt;\" ContentLicense=\"CC BY-SA 4.0\" />\n", q, a, attr(c.question), attr(c.title))
		fmt.Fprintf(&rows, "  <row Id=\"%d\" PostTypeId=\"2\" ParentId=\"%d\" CreationDate=\"2024-03-01T11:00:00.000\" Score=\"1\" Body=\"%s\" OwnerDisplayName=\"helper\" ContentLicense=\"CC BY-SA 4.0\" />\n", a, q, attr(c.answer))
	}
	rows.WriteString("</posts>\n")
	out["stackexchange"] = filepath.Dir(w("stackexchange/Posts.xml", rows.String()))

	for i, c := range cs {
		topic := map[string]any{"id": 1000 + i, "title": c.title, "slug": "t", "archetype": "regular", "created_at": when,
			"accepted_answer": map[string]any{"post_number": 2},
			"post_stream": map[string]any{"posts": []any{
				map[string]any{"id": 5000 + 2*i, "post_number": 1, "post_type": 1, "username": "asker", "created_at": when, "cooked": c.question},
				map[string]any{"id": 5001 + 2*i, "post_number": 2, "post_type": 1, "username": "helper", "created_at": when, "cooked": c.answer, "accepted_answer": true},
			}}}
		w(fmt.Sprintf("discourse/t%02d.json", i), js(topic))
	}
	out["discourse"] = filepath.Join(dir, "discourse")

	var nodes []any
	for i, c := range cs {
		nodes = append(nodes, map[string]any{"number": i + 1, "title": c.title, "bodyHTML": c.question, "url": fmt.Sprintf("https://github.com/o/r/discussions/%d", i+1),
			"createdAt": when, "author": map[string]any{"login": "asker"},
			"answer": map[string]any{"id": fmt.Sprintf("DC_%d", i), "bodyHTML": c.answer, "url": fmt.Sprintf("https://github.com/o/r/discussions/%d#discussioncomment-%d", i+1, i), "createdAt": when, "author": map[string]any{"login": "helper"}}})
	}
	out["github"] = w("github/discussions.json", js(nodes))

	var items []any
	for i, c := range cs {
		topicID, replyID := fmt.Sprint(7000+2*i), fmt.Sprint(7001+2*i)
		conv := map[string]any{"id": fmt.Sprint(9000 + i), "view_href": "https://community.example.com/t5/b/td-p/" + topicID}
		items = append(items,
			map[string]any{"id": topicID, "subject": c.title, "body": c.question, "author": map[string]any{"login": "asker"}, "post_time": when, "board": map[string]any{"id": "b"}, "conversation": conv, "depth": 0, "view_href": "https://community.example.com/t5/b/td-p/" + topicID},
			map[string]any{"id": replyID, "subject": "Re: " + c.title, "body": c.answer, "author": map[string]any{"login": "helper"}, "post_time": when, "board": map[string]any{"id": "b"}, "conversation": conv, "depth": 1, "parent": map[string]any{"id": topicID}, "is_solution": true, "view_href": "https://community.example.com/t5/b/m-p/" + replyID})
	}
	out["khoros"] = w("khoros/messages.json", js(map[string]any{"status": "success", "data": map[string]any{"type": "messages", "list_item_type": "message", "size": len(items), "items": items}}))

	var posts, comments []any
	for i, c := range cs {
		id := 8400000000000 + i
		posts = append(posts, map[string]any{"id": id, "title": c.title, "details": c.question, "author_id": 1, "topic_id": 7, "status": "answered", "created_at": when, "updated_at": when,
			"html_url": fmt.Sprintf("https://example.zendesk.com/hc/en-us/community/posts/%d", id)})
		comments = append(comments, map[string]any{"id": 9400000000000 + i, "body": c.answer, "author_id": 2, "post_id": id, "official": true, "created_at": when, "updated_at": when,
			"html_url": fmt.Sprintf("https://example.zendesk.com/hc/en-us/community/posts/%d/comments/%d", id, 9400000000000+i)})
	}
	out["zendesk"] = w("zendesk/export.json", js(map[string]any{"posts": posts, "comments": comments, "users": []any{map[string]any{"id": 1, "name": "asker"}, map[string]any{"id": 2, "name": "helper"}}}))
	return out
}

var (
	unsafeHTML = regexp.MustCompile(`(?i)(href|src)="\s*(javascript|vbscript|data|file):|<script|<iframe|\son[a-z]+=|<svg`)
	gmUnsafe   = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
)

// TestHostileExports feeds every reader an export carrying the content
// cases of ../shared/reference/security.md and checks the written
// knowledge base, its git history and the console: no secret or personal
// datum from the input anywhere, no file outside the content folder, every
// front matter parses with the title as written (on one line), and no
// unsafe link or HTML even when the Markdown is rendered unsafely.
func TestHostileExports(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the git binary is needed as a referee")
	}
	dir := t.TempDir()
	exports := hostileExports(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "none.yaml"), []byte("kb:\n  content_dir: faq\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "stackexchange", "discourse", "github", "khoros", "zendesk"} {
		t.Run(format, func(t *testing.T) {
			kbDir := filepath.Join(dir, "kb-"+format)
			var out, errOut bytes.Buffer
			code := runWith(context.Background(), []string{"sync", "--from", format + ":" + exports[format], "--site", "https://forum.example.com",
				"--kb", kbDir, "--json", "--config", filepath.Join(dir, "none.yaml")}, &streams{Out: &out, Err: &errOut})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var prev bytes.Buffer
			runWith(context.Background(), []string{"preview", format + ":" + exports[format], "--site", "https://forum.example.com", "--config", filepath.Join(dir, "none.yaml")},
				&streams{Out: &prev, Err: &errOut})
			cmd := exec.Command("git", "-C", kbDir, "log", "-p", "--all", "--format=%H %an %s%n%b")
			history, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("git log: %v", err)
			}
			seen := map[string][]byte{"stdout": out.Bytes(), "stderr": errOut.Bytes(), "preview": prev.Bytes(), "git history": history}
			articles := 0
			err = filepath.Walk(kbDir, func(p string, info os.FileInfo, err error) error {
				if err != nil || info.IsDir() {
					if info != nil && info.IsDir() && info.Name() == ".git" {
						return filepath.SkipDir
					}
					return err
				}
				rel, _ := filepath.Rel(kbDir, p)
				rel = filepath.ToSlash(rel)
				if !strings.HasPrefix(rel, "faq/") && rel != ".kbsync/manifest.json" {
					t.Errorf("file outside the content folder: %s", rel)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				seen[rel] = b
				if strings.HasPrefix(rel, "faq/") && !strings.HasPrefix(filepath.Base(rel), "_") {
					articles++
					checkHostileArticle(t, rel, b)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := len(hostileCases()); articles < want {
				t.Errorf("%d articles written, want at least %d", articles, want)
			}
			for where, b := range seen {
				for _, c := range canaries() {
					if bytes.Contains(b, []byte(c)) {
						t.Errorf("%s holds the canary %.12q...", where, c)
					}
				}
				if where == "stdout" || where == "stderr" {
					if bytes.ContainsAny(b, "\x1b\x07") {
						t.Errorf("%s carries terminal escapes", where)
					}
				}
			}
		})
	}
}

func checkHostileArticle(t *testing.T, rel string, doc []byte) {
	t.Helper()
	if !regexp.MustCompile(`^faq/[a-z0-9]+(-[a-z0-9]+)*\.md$`).MatchString(rel) || len(filepath.Base(rel)) > 83 {
		t.Errorf("%s: not a safe article path", rel)
	}
	if strings.HasPrefix(strings.ToLower(filepath.Base(rel)), "con.") {
		t.Errorf("%s: a Windows reserved name", rel)
	}
	end := bytes.Index(doc[4:], []byte("\n---\n"))
	if !bytes.HasPrefix(doc, []byte("---\n")) || end < 0 {
		t.Fatalf("%s: no front matter", rel)
	}
	var fm map[string]any
	if err := yaml.Unmarshal(doc[4:4+end], &fm); err != nil {
		t.Fatalf("%s: front matter: %v", rel, err)
	}
	for _, k := range []string{"layout", "evil"} {
		if _, ok := fm[k]; ok {
			t.Errorf("%s: injected front matter key %q", rel, k)
		}
	}
	title, _ := fm["title"].(string)
	if strings.ContainsAny(title, "\n\r\x1b\x07\u202e") {
		t.Errorf("%s: title %q is not one clean line", rel, title)
	}
	known := false
	for _, c := range hostileCases() {
		if c.wantTitle != "" && title == c.wantTitle {
			known = true
		}
	}
	if !known && !strings.Contains(title, "Caf") && !strings.Contains(title, "Bidi") && !strings.Contains(title, "ANSI") &&
		!strings.Contains(title, "long title") && title != "🙂🙂🙂" && title != "Markdown attacks" {
		t.Errorf("%s: title %q is not one of the titles as written", rel, title)
	}
	body := doc[4+end+5:]
	var rendered bytes.Buffer
	if err := gmUnsafe.Convert(body, &rendered); err != nil {
		t.Fatal(err)
	}
	if m := unsafeHTML.Find(rendered.Bytes()); m != nil {
		t.Errorf("%s: unsafe HTML %q when rendered unsafely", rel, m)
	}
	if bytes.Contains(body, []byte("{{<")) && !bytes.Contains(body, []byte("{{</*")) {
		t.Errorf("%s: a Hugo shortcode would execute", rel)
	}
}
