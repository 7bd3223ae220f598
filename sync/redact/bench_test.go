package redact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchDocs cuts real forum Markdown (prose, code blocks, links) into
// article-sized documents of about 3 KB.
func benchDocs(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("../../testdata/corpus/discourse/urho3d/*.raw.md")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus Markdown: %v", err)
	}
	extra, err := os.ReadFile("testdata/support.md")
	if err != nil {
		tb.Fatal(err)
	}
	var docs []string
	var cur strings.Builder
	add := func(text string) {
		for _, para := range strings.SplitAfter(text, "\n\n") {
			cur.WriteString(para)
			if cur.Len() >= 3000 {
				docs = append(docs, cur.String())
				cur.Reset()
			}
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		add(string(b))
	}
	add(string(extra))
	if cur.Len() > 0 {
		docs = append(docs, cur.String())
	}
	return docs
}

func BenchmarkText(b *testing.B) {
	r, err := New(Config{IPs: true})
	if err != nil {
		b.Fatal(err)
	}
	clean := benchDocs(b)
	// The same documents with a few secrets and personal data pasted in.
	dirty := make([]string, len(clean))
	for i, d := range clean {
		cut := strings.Index(d, "\n\n")
		if cut < 0 {
			cut = len(d)
		}
		dirty[i] = d[:cut] + "\n\nMy token is " + fakeGitHubPAT + " and mail me at jane.doe@acme-corp.com.\n\n```\npassword: hunter22\n```\n" + d[cut:]
	}
	for _, c := range []struct {
		name string
		docs []string
	}{{"clean", clean}, {"secrets", dirty}} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for _, d := range c.docs {
				n += len(d)
			}
			b.SetBytes(int64(n / len(c.docs)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r.Text(c.docs[i%len(c.docs)])
			}
		})
	}
}
