package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	kbsync "github.com/kbsync/kbsync/sync"
	"github.com/kbsync/kbsync/sync/forum"
)

type reportOptions struct {
	io         *streams
	From       string
	Site       string
	KB         string
	JSON       bool
	Top        int
	Similarity float64
}

func newReportCmd(io *streams, runF func(*cobra.Command, *reportOptions) error) *cobra.Command {
	opts := &reportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "report [[FORMAT:]PATH]",
		Short: "List solved threads without an article, and questions customers keep asking",
		Long: `report reads an export (default: the sources in kbsync.yaml) and lists, touching nothing:

  - solved threads that are not in the knowledge base yet (the manifest committed at the
    tip of --kb's checked-out branch; without a knowledge base, every solved thread), as
    the select: settings of kbsync.yaml choose them;
  - recurring unanswered questions: groups of similar titles among the public threads
    without an accepted answer, largest first.

Titles are similar when their word sets (lowercased, accents folded, stop words dropped,
plurals and -ing/-ed endings stripped) overlap enough, each word weighted by how rare it
is among the titles (weighted Jaccard >= --similarity). Groups are connected chains of
similar titles. The same export gives the same groups.

The report is the command's output: it goes to stdout, as a table or, with --json, as
one JSON document.`,
		Example: `  # What is missing from the knowledge base, and what people keep asking
  kbsync report ./coffee.stackexchange.com --kb ./kb

  # Every group, for a script
  kbsync report discourse:./topics --site https://forum.example.com --top 0 --json

  # The sources and knowledge base of kbsync.yaml
  kbsync report`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.From = args[0]
			}
			if runF != nil {
				return runF(cmd, opts)
			}
			return runReport(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Site, "site", "", "the forum's public address, for permalinks")
	f.StringVar(&opts.KB, "kb", "", "compare with this knowledge base's working tree (default: kb.path in kbsync.yaml)")
	f.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	f.IntVar(&opts.Top, "top", 20, "list at most N missing threads and N groups (0: all)")
	f.Float64Var(&opts.Similarity, "similarity", kbsync.DefaultSimilarity, "how alike two titles must be to group them, 0 to 1")
	return cmd
}

func runReport(cmd *cobra.Command, opts *reportOptions) error {
	if opts.Top < 0 {
		return usagef("--top %d: give a number of lines, or 0 for all", opts.Top)
	}
	if opts.Similarity <= 0 || opts.Similarity > 1 {
		return usagef("--similarity %g: give a number above 0 and at most 1", opts.Similarity)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	policy, err := cfg.policy()
	if err != nil {
		return err
	}
	var sources []kbsync.Source
	if opts.From != "" {
		s := kbsync.ParseFrom(opts.From)
		s.Site = opts.Site
		sources = append(sources, s)
	} else {
		if opts.Site != "" {
			return usagef("--site needs an export: kbsync report [FORMAT:]PATH --site URL")
		}
		for _, s := range cfg.Sources {
			sources = append(sources, kbsync.Source{Format: s.Format, Path: s.Path, Site: s.Site})
		}
	}
	if len(sources) == 0 {
		return usagef("nothing to read: pass [FORMAT:]PATH or list sources in kbsync.yaml")
	}
	b, err := kbsync.ReportBacklog(cmd.Context(), kbsync.BacklogOptions{
		Sources:    sources,
		KB:         cfg.KB.Path,
		Redact:     cfg.redact(),
		Similarity: opts.Similarity,
		Policy:     policy,
	})
	if err != nil {
		return err
	}
	missing, clusters := len(b.Missing), len(b.Clusters)
	if opts.Top > 0 {
		b.Missing = b.Missing[:min(opts.Top, missing)]
		b.Clusters = b.Clusters[:min(opts.Top, clusters)]
	}
	if opts.JSON {
		out := struct {
			*kbsync.Backlog
			MissingTotal  int `json:"missing_total"`
			ClustersTotal int `json:"clusters_total"`
		}{b, missing, clusters}
		enc := json.NewEncoder(opts.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printBacklog(opts, b, missing, clusters, cfg.KB.Path)
	return nil
}

// printBacklog writes the report as two tables for people.
func printBacklog(opts *reportOptions, b *kbsync.Backlog, missing, clusters int, kbPath string) {
	w := opts.io.Out
	more := func(shown, total int) {
		if shown < total {
			fmt.Fprintf(w, "  ... and %d more (--top 0 lists all)\n", total-shown)
		}
	}
	fmt.Fprintf(w, "%d threads read: %d solved, %d unanswered.\n\n", b.Threads, b.Solved, b.Unanswered)
	if b.Compared {
		fmt.Fprintf(w, "Solved threads not in the knowledge base yet (%d of %d; %d already in %s):\n", missing, b.Solved, b.InKB, kbPath)
	} else {
		fmt.Fprintf(w, "Solved threads (%d; no knowledge base to compare with: pass --kb DIR):\n", missing)
	}
	if missing == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SOURCE\tID\tSCORE\tTITLE\tURL")
		for _, t := range b.Missing {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\n", t.Source, forum.OneLine(t.ID), t.Score, clip(t.Title, 70), t.URL)
		}
		tw.Flush()
		more(len(b.Missing), missing)
	}
	groups := "groups"
	if clusters == 1 {
		groups = "group"
	}
	fmt.Fprintf(w, "\nRecurring unanswered questions (%d %s of similar titles):\n", clusters, groups)
	if clusters == 0 {
		fmt.Fprintln(w, "  none")
	}
	for i, c := range b.Clusters {
		fmt.Fprintf(w, "  %d. %d threads: %s\n", i+1, c.Size, strings.Join(c.Terms, ", "))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, t := range c.Threads {
			fmt.Fprintf(tw, "     %s\t%s\t%s\n", forum.OneLine(t.ID), clip(t.Title, 70), t.URL)
		}
		tw.Flush()
	}
	more(len(b.Clusters), clusters)
}

// clip shortens s to n characters for a table cell.
func clip(s string, n int) string {
	s = forum.OneLine(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
