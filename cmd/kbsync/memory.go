package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// memoryBudget is the soft heap limit kbsync keeps by default, so that a
// sync of 100,000 or a million threads stays under 256 MiB of resident
// memory on a small CI runner: the binary's own pages add ~24 MiB to what
// the limit counts (224 MiB left a margin of 4-8 MiB). Go's collector
// otherwise lets the heap grow to twice what is live before it collects.
const memoryBudget = 208 << 20

// memoryLimit is the soft limit for a live heap of live bytes: the budget
// while the live heap fits in two thirds of it, then half as much again as
// is live (like GOGC=50), so that a run whose working set outgrows the
// budget (a million threads) collects a little more often instead of
// spending most of its time in the collector, which a fixed limit below
// the live heap makes it do.
func memoryLimit(budget, live int64) int64 {
	return max(budget, live+live/2)
}

// gcPercent is the collector's GOGC while the limit governs: the heap may
// grow to five times what is live, as far as the limit lets it. Most of a
// sync's heap is short-lived garbage around a small live set (~40 MB while
// converting), and GOGC=100 collected every 40 MB: 400 cuts the
// collector's work by ~10% of the run's CPU, the limit still caps memory.
const gcPercent = 400

// governMemory keeps the soft memory limit at memoryLimit while a command
// runs, unless GOMEMLIMIT says what the user wants (GOMEMLIMIT=off: none),
// and sets GOGC to gcPercent unless GOGC is set. The returned function
// stops it and restores both.
func governMemory() (stop func()) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	prev := debug.SetMemoryLimit(memoryBudget)
	prevGC := -2 // not changed
	if _, set := os.LookupEnv("GOGC"); !set {
		prevGC = debug.SetGCPercent(gcPercent)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					return // a runtime without the metric: keep the budget
				}
				live := sample[0].Value.Uint64()
				debug.SetMemoryLimit(memoryLimit(memoryBudget, int64(min(live, math.MaxInt64/2))))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		debug.SetMemoryLimit(prev)
		if prevGC != -2 {
			debug.SetGCPercent(prevGC)
		}
	}
}
