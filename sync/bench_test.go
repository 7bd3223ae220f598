package sync

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kbsync/kbsync/kb"
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
