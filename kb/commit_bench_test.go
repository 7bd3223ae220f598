package kb

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// BenchmarkCommit is the commit stage of a first sync, the part the one
// goroutine that owns the repository does: it takes 2,000 rendered
// articles (encoded and staged beforehand, untimed, as the workers do)
// into a plan, then commits them: the pack, the manifest, the trees, the
// renames into the working tree, the git index and the file-system sync.
// ns/article is the figure; the disk under TMPDIR is part of it.
func BenchmarkCommit(b *testing.B) {
	const n = 2000
	body := strings.Repeat("An answer with some words, a [link](https://example.com/x) and `code`.\n", 80)
	contents := make([][]byte, n)
	blobs := make([]Encoded, n)
	enc := NewEncoder()
	for i := range contents {
		contents[i] = []byte(fmt.Sprintf("---\ntitle: How do I fix problem %d?\nsource_id: %q\n---\n%s", i, strconv.Itoa(i), body))
		blobs[i] = enc.Encode(plumbing.BlobObject, contents[i])
	}
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		k, err := Open(ctx, Options{Path: filepath.Join(b.TempDir(), "kb")})
		if err != nil {
			b.Fatal(err)
		}
		p, err := k.Plan(PlanOptions{Prune: true})
		if err != nil {
			b.Fatal(err)
		}
		st, err := k.Stager()
		if err != nil {
			b.Fatal(err)
		}
		for i, c := range contents {
			if err := st.Put(blobs[i].Hash.String(), c); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for i := range blobs {
			id := Identity{Source: "bench", Site: "bench.example", ID: strconv.Itoa(i)}
			p.Saw(id)
			info := func() Info { return Info{Title: fmt.Sprintf("How do I fix problem %d?", i)} }
			if !p.Need(id, "h"+strconv.Itoa(i), info) {
				b.Fatalf("article %d is not needed in a new knowledge base", i)
			}
			if err := p.Put(&Article{ID: id, Seq: i, Slug: fmt.Sprintf("how-do-i-fix-problem-%d", i), Blob: blobs[i],
				SourceHash: "h" + strconv.Itoa(i), Info: info()}); err != nil {
				b.Fatal(err)
			}
		}
		res, err := p.Commit(ctx, func(*ResultSet, map[Action]int) (string, error) { return "bench\n", nil })
		if err != nil {
			b.Fatal(err)
		}
		if res.Hash == "" {
			b.Fatal("no commit")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/article")
}
