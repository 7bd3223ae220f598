// Command kbgen writes benchmark input for kbsync. It scales a real Stack
// Exchange dump (default: testdata/corpus/stackexchange/french-meta-2021)
// to any number of solved threads: real questions with their accepted
// answers, and unsolved questions at the source's ratio, replicated with
// fresh ids, dates and users and a generated word inserted into the text,
// so that conversion work stays realistic and no two articles are equal.
//
//	go run ./cmd/kbgen -threads 100000 -out /tmp/in
//	go run ./cmd/kbgen -format jsonl -threads 1000 -out /tmp/in-jsonl
//	go run ./cmd/kbgen -threads 100000 -change 1 -out /tmp/in-1pct
//
// Output is streamed row by row (memory stays flat at any size) and is
// byte-identical for the same flags. Formats:
//
//	stackexchange  DIR/Posts.xml and DIR/Users.xml (and DIR/PostHistory.xml
//	               with -history), shaped like a real dump
//	jsonl          DIR/threads.jsonl, kbsync's interchange format
//	html           DIR/bodies.html, the bodies of every solved thread in one
//	               document, each after a "kbgen-thread ID" heading (the
//	               input of the pandoc baseline of .ci/bench)
//
// -change PCT writes the dump that -base-seed gives, except that PCT
// percent of the accepted answers (picked with -seed) have an edit
// appended to their body and a new LastEditDate: the input of a re-sync
// benchmark.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit code (2 for bad usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kbgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kbgen -threads N -out DIR [-format stackexchange|jsonl|html] [-from DIR] [-seed S]\n"+
			"             [-unsolved-ratio R] [-history] [-change PCT [-base-seed S]] [-site URL]\n\n")
		fs.PrintDefaults()
	}
	var cfg config
	var seed, baseSeed uint64
	fs.StringVar(&cfg.format, "format", "stackexchange", "output format: stackexchange, jsonl or html")
	fs.IntVar(&cfg.threads, "threads", 0, "number of solved threads to write (required)")
	fs.StringVar(&cfg.out, "out", "", "output folder, created if needed; files in it are overwritten (required)")
	fs.StringVar(&cfg.from, "from", "", "the Stack Exchange dump folder to scale (default: testdata/corpus/stackexchange/french-meta-2021, looked up from the current folder upwards)")
	fs.Uint64Var(&seed, "seed", 1, "random seed; with -change, it picks the edited answers")
	fs.Float64Var(&cfg.unsolved, "unsolved-ratio", -1, "share of questions without an accepted answer, in [0, 1) (default: the source's own)")
	fs.BoolVar(&cfg.history, "history", false, "also write PostHistory.xml with the posts' Markdown (stackexchange only; the source needs one)")
	fs.Float64Var(&cfg.change, "change", 0, "edit this percentage of the accepted answers (0 to 100) of the dump -base-seed gives")
	fs.Uint64Var(&baseSeed, "base-seed", 0, "with -change: the seed of the unchanged dump (default: -seed)")
	fs.StringVar(&cfg.site, "site", "https://bench.stackexchange.com", "forum address used in the jsonl permalinks")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg.seed, cfg.pickSeed = seed, seed
	if set["base-seed"] {
		cfg.seed = baseSeed
	}
	if err := cfg.check(fs.Args(), set); err != nil {
		fmt.Fprintf(stderr, "kbgen: %v\n", err)
		return 2
	}
	if cfg.from == "" {
		dir, err := defaultSource()
		if err != nil {
			fmt.Fprintf(stderr, "kbgen: %v\n", err)
			return 2
		}
		cfg.from = dir
	}
	src, err := loadSource(cfg.from, cfg.history)
	if err != nil {
		fmt.Fprintf(stderr, "kbgen: reading the source dump: %v\n", err)
		return 1
	}
	start := time.Now()
	st, err := generate(cfg, src)
	if err != nil {
		fmt.Fprintf(stderr, "kbgen: %v\n", err)
		return 1
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "kbgen: %d solved and %d unsolved threads (%d posts, %d users, %d answers edited) from %s: %.1f MB in %.2f s (%.0f MB/s) in %s\n",
		st.solved, st.unsolved, st.posts, st.users, st.changed, cfg.from,
		float64(st.bytes)/1e6, secs, float64(st.bytes)/1e6/max(secs, 1e-9), cfg.out)
	return 0
}

func (c *config) check(rest []string, set map[string]bool) error {
	switch {
	case len(rest) > 0:
		return fmt.Errorf("unexpected argument %q (all inputs are flags)", rest[0])
	case c.threads <= 0:
		return errors.New("-threads N is required and must be positive")
	case c.out == "":
		return errors.New("-out DIR is required")
	case c.format != "stackexchange" && c.format != "jsonl" && c.format != "html":
		return fmt.Errorf("-format %q: use stackexchange, jsonl or html", c.format)
	case set["unsolved-ratio"] && (c.unsolved < 0 || c.unsolved >= 1):
		return fmt.Errorf("-unsolved-ratio %g: it must be at least 0 and below 1", c.unsolved)
	case c.change < 0 || c.change > 100:
		return fmt.Errorf("-change %g: it is a percentage, from 0 to 100", c.change)
	case set["base-seed"] && !set["change"]:
		return errors.New("-base-seed goes with -change PCT")
	case c.history && c.format != "stackexchange":
		return errors.New("-history is for -format stackexchange")
	}
	return nil
}
