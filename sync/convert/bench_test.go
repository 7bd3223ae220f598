package convert

import "testing"

// benchBodies returns the corpus bodies of one kind, and their total size.
func benchBodies(b *testing.B, html bool) ([]string, int64) {
	var out []string
	var n int64
	for _, c := range loadCorpus(b) {
		if c.html == html {
			out = append(out, c.text)
			n += int64(len(c.text))
		}
	}
	return out, n
}

// BenchmarkHTML converts every HTML body of the corpus once per iteration;
// ns/op is per body.
func BenchmarkHTML(b *testing.B) {
	c := New()
	bodies, size := benchBodies(b, true)
	b.SetBytes(size / int64(len(bodies)))
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.HTML(bodies[i%len(bodies)], "https://forum.example"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarkdown converts every Markdown body of the corpus; ns/op is
// per body.
func BenchmarkMarkdown(b *testing.B) {
	c := New()
	bodies, size := benchBodies(b, false)
	b.SetBytes(size / int64(len(bodies)))
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.Markdown(bodies[i%len(bodies)], "https://forum.example"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck is the last gate on a converted body.
func BenchmarkCheck(b *testing.B) {
	c := New()
	bodies, size := benchBodies(b, true)
	var docs [][]byte
	for _, body := range bodies {
		md, err := c.HTML(body, "")
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, []byte(md))
	}
	b.SetBytes(size / int64(len(bodies)))
	b.ResetTimer()
	for i := range b.N {
		if err := c.Check(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
}
