package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct{ live, want int64 }{
		{0, memoryBudget},
		{100 * mib, memoryBudget},        // fits: the budget holds
		{138 * mib, memoryBudget},        // 1.5x live is still under 208 MiB
		{200 * mib, 300 * mib},           // outgrown: half as much again as is live
		{1500 * mib, 2250 * mib},         // a million threads
		{1 << 61, (1 << 61) + (1<<61)/2}, // no overflow at the clamp governMemory applies
	} {
		if got := memoryLimit(memoryBudget, c.live); got != c.want {
			t.Errorf("memoryLimit(budget, %d MiB) = %d MiB, want %d MiB", c.live/mib, got/mib, c.want/mib)
		}
	}
}

func TestGovernMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	gcBefore := debug.SetGCPercent(-1)
	debug.SetGCPercent(gcBefore)
	t.Setenv("GOMEMLIMIT", "") // restored after the test
	t.Setenv("GOGC", "")
	os.Unsetenv("GOMEMLIMIT")
	os.Unsetenv("GOGC")
	stop := governMemory()
	if got := debug.SetMemoryLimit(-1); got < memoryBudget || got == before {
		t.Errorf("with GOMEMLIMIT unset the limit is %d, want the budget %d or more", got, memoryBudget)
	}
	gc := debug.SetGCPercent(gcPercent)
	if gc != gcPercent {
		t.Errorf("with GOGC unset GOGC is %d, want %d", gc, gcPercent)
	}
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("after stop the limit is %d, want it restored to %d", got, before)
	}
	if got := debug.SetGCPercent(gcBefore); got != gcBefore {
		t.Errorf("after stop GOGC is %d, want it restored to %d", got, gcBefore)
	}

	// GOGC set: the limit governs, GOGC is the user's.
	os.Setenv("GOGC", "150")
	stop = governMemory()
	if got := debug.SetGCPercent(gcBefore); got != gcBefore {
		t.Errorf("with GOGC set, GOGC became %d", got)
	}
	stop()
	os.Unsetenv("GOGC")

	// GOMEMLIMIT (even "off") is the user's choice: left alone.
	os.Setenv("GOMEMLIMIT", "off")
	stop = governMemory()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("with GOMEMLIMIT=off the limit is %d, want it untouched (%d)", got, before)
	}
	stop()
}
