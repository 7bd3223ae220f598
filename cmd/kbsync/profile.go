package main

import (
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// peakHeapProfile writes a heap profile to path each time the live heap
// passes its previous peak by a tenth, so the file shows what was live at
// the run's peak, not at its end, when most of it is gone. For developers
// (--memprofile); the returned function writes a last profile if none was
// written and stops.
func peakHeapProfile(path string) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	write := func() {
		if f, err := os.Create(path); err == nil {
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		var peak uint64
		wrote := false
		for {
			select {
			case <-done:
				if !wrote {
					write()
				}
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					continue
				}
				if live := sample[0].Value.Uint64(); live > peak+peak/10 {
					peak = live
					write()
					wrote = true
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
