package main

import (
	"fmt"
	"io"
	"time"
)

// progress draws a one-line counter on a terminal; it is nil (and silent)
// when stderr is not a terminal.
type progress struct {
	w     io.Writer
	start time.Time
	shown bool
}

func (p *progress) update(n int) {
	if p == nil {
		return
	}
	rate := float64(n) / max(time.Since(p.start).Seconds(), 0.001)
	fmt.Fprintf(p.w, "\rreading threads: %d (%.0f/s)", n, rate)
	p.shown = true
}

func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
