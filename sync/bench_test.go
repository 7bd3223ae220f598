package sync

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	stdsync "sync"
	"testing"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/redact"
)

// The largest dump of the corpus: 7 MB, 781 posts, 86 solved threads.
const largestDump = "../testdata/corpus/stackexchange/french-meta-2021"

func syncOnce(b *testing.B, kbDir string) *Report {
	b.Helper()
	rep, err := Run(context.Background(), Options{
		Sources: []Source{{Format: "stackexchange", Path: largestDump, Site: "https://french.meta.stackexchange.com"}},
		KB:      kb.Options{Path: kbDir},
	})
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

// BenchmarkSyncFirst is a whole first sync of the largest corpus dump into
// a new knowledge base: read, convert, render, commit.
func BenchmarkSyncFirst(b *testing.B) {
	dir := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		rep := syncOnce(b, filepath.Join(dir, strconv.Itoa(i)))
		if rep.Counts.Added != 86 {
			b.Fatalf("added %d articles, want 86", rep.Counts.Added)
		}
	}
}

// BenchmarkSyncNoop re-syncs the unchanged dump: conversion is skipped and
// nothing is committed.
func BenchmarkSyncNoop(b *testing.B) {
	kbDir := filepath.Join(b.TempDir(), "kb")
	syncOnce(b, kbDir)
	b.ResetTimer()
	for range b.N {
		rep := syncOnce(b, kbDir)
		if rep.Counts.Unchanged != 86 || rep.Commit != "" {
			b.Fatalf("no-op sync: %+v", rep.Counts)
		}
	}
}

// benchThreads reads the solved threads of the largest dump once.
func benchThreads(b *testing.B) []*forum.Thread {
	b.Helper()
	rd, _, err := Source{Path: largestDump, Site: "https://french.meta.stackexchange.com"}.open(forum.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var out []*forum.Thread
	if err := rd.Threads(context.Background(), func(t *forum.Thread) error {
		if t.Skip == "" {
			out = append(out, t)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkRead is the reading stage alone: the whole dump, every thread.
func BenchmarkRead(b *testing.B) {
	st, _ := os.Stat(filepath.Join(largestDump, "Posts.xml"))
	b.SetBytes(st.Size())
	for range b.N {
		rd, _, err := Source{Path: largestDump, Site: "https://french.meta.stackexchange.com"}.open(forum.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := rd.Threads(context.Background(), func(*forum.Thread) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender is one article: convert, redact, render, check (one
// goroutine; ns/op is per article).
func BenchmarkRender(b *testing.B) {
	threads := benchThreads(b)
	r, err := newRendererFor("", "", redact.Config{}, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := r.render(threads[i%len(threads)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderPool renders every solved thread of the dump with one
// worker per GOMAXPROCS, as sync does: compare -cpu 1,2 for the speed-up
// of the conversion stage. The threads go through one pool as one stream,
// b.N times over, as in a sync: a pool per pass would wait at the end of
// each of the dump's ~90 threads for its slowest one, which a sync never
// does.
func BenchmarkRenderPool(b *testing.B) {
	threads := benchThreads(b)
	r, err := newRendererFor("", "", redact.Config{}, "")
	if err != nil {
		b.Fatal(err)
	}
	workers := runtime.GOMAXPROCS(0)
	b.ResetTimer()
	jobs := make(chan *forum.Thread, workers)
	var wg stdsync.WaitGroup
	for range workers {
		wg.Add(1)
		go func(r *renderer) {
			defer wg.Done()
			enc := kb.NewEncoder()
			for t := range jobs {
				a, err := r.render(t)
				if err != nil {
					b.Error(err)
					continue
				}
				enc.Encode(plumbingBlob, a.content)
			}
		}(r.forWorker())
	}
	for range b.N {
		for _, t := range threads {
			jobs <- t
		}
	}
	close(jobs)
	wg.Wait()
	b.ReportMetric(float64(len(threads)*b.N)/b.Elapsed().Seconds(), "articles/s")
}
