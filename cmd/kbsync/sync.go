package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/kb/forge"
	kbsync "github.com/kbsync/kbsync/sync"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/templates"
)

type syncOptions struct {
	io        *streams
	From      []string
	Site      string
	KB        string
	Branch    string
	Templates string
	Preset    string
	DryRun    bool
	JSON      bool
	Force     []string
	Prune     bool
	Workers   int
	LockWait  time.Duration
	Push      bool
	PR        bool
	Base      string
	CacheDir  string
}

func newSyncCmd(io *streams, runF func(*cobra.Command, *syncOptions) error) *cobra.Command {
	opts := &syncOptions{io: io}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Turn the solved threads of forum exports into committed FAQ articles",
		Long: `sync reads each export, keeps the threads with an accepted answer, writes one
Markdown article per thread and commits the changed articles to the knowledge base
(a git working tree) in one commit. Running it again on the same input changes nothing.

Articles a person edited are never overwritten: they are reported as conflicts.

Memory: kbsync keeps its heap under a soft 208 MiB budget while the articles of
one run fit in it; GOMEMLIMIT (e.g. 1GiB, or off) replaces that budget.`,
		Example: `  # A Stack Exchange dump folder (the site is taken from the folder name when it is one)
  kbsync sync --from ./coffee.stackexchange.com --kb ./kb

  # Discourse topics, with the forum's address for permalinks, as JSON for CI
  kbsync sync --from discourse:./topics --site https://forum.example.com --kb ./kb --json

  # See what would change, touching nothing
  kbsync sync --config kbsync.yaml --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd, opts)
			}
			return runSync(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.From, "from", nil, "an export to read, `[FORMAT:]PATH` (repeatable; default: sources in kbsync.yaml)")
	f.StringVar(&opts.Site, "site", "", "the forum's public address, for permalinks (e.g. https://coffee.stackexchange.com)")
	f.StringVar(&opts.KB, "kb", "", "the knowledge base's working tree (default: kb.path, else the current folder)")
	f.StringVar(&opts.Branch, "branch", "", "commit on this branch (default: the checked-out branch)")
	f.StringVar(&opts.Base, "base", "", "where a new --branch starts (default: the checked-out branch; for a remote --kb, publish.base)")
	f.BoolVar(&opts.Push, "push", false, "push the branch to origin (token from KBSYNC_TOKEN, GITHUB_TOKEN or GITLAB_TOKEN)")
	f.BoolVar(&opts.PR, "pr", false, "push --branch (default kbsync/nightly) and open or update its pull request (GitHub, Gitea) or merge request (GitLab)")
	f.StringVar(&opts.CacheDir, "cache-dir", "", "where remote knowledge bases are cloned (default: the user cache folder)")
	f.StringVar(&opts.Templates, "templates", "", "a folder of templates overriding the embedded ones")
	f.StringVar(&opts.Preset, "preset", "", "site generator preset: "+strings.Join(templates.PresetNames(), ", ")+" (default hugo)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "compute what would change and write nothing")
	f.BoolVar(&opts.JSON, "json", false, "print the report as JSON on stdout")
	f.StringArrayVar(&opts.Force, "force-regenerate", nil, "regenerate this thread's article even if a person edited it (`SOURCE:ID` or ID; repeatable)")
	f.BoolVar(&opts.Prune, "prune", false, "remove retired articles instead of marking them draft")
	f.IntVar(&opts.Workers, "workers", 0, "conversion workers (default: one per CPU)")
	f.DurationVar(&opts.LockWait, "lock-timeout", time.Minute, "how long to wait for another kbsync run on the same knowledge base")
	return cmd
}

func runSync(cmd *cobra.Command, opts *syncOptions) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	policy, err := cfg.policy()
	if err != nil {
		return err
	}
	name, email, err := cfg.author()
	if err != nil {
		return err
	}
	var sources []kbsync.Source
	for _, f := range opts.From {
		s := kbsync.ParseFrom(f)
		s.Site = opts.Site
		sources = append(sources, s)
	}
	if len(sources) == 0 {
		if opts.Site != "" {
			return usagef("--site needs --from")
		}
		for _, s := range cfg.Sources {
			sources = append(sources, kbsync.Source{Format: s.Format, Path: s.Path, Site: s.Site})
		}
	}
	if len(sources) == 0 {
		return usagef("nothing to read: pass --from PATH or list sources in kbsync.yaml")
	}
	kbPath := cfg.KB.Path
	if kbPath == "" {
		kbPath = "."
	}
	base := opts.Base
	remote := kb.IsRemote(kbPath)
	if base == "" && (remote || opts.PR) {
		base = cfg.Publish.Base
	}
	branch := cfg.Git.Branch
	var pr *kbsync.PROptions
	if opts.PR {
		if branch == "" {
			branch = "kbsync/nightly"
		}
		if branch == base {
			return usagef("--pr needs a branch other than the base %s: pass --branch", base)
		}
		pr = &kbsync.PROptions{
			Forge:  forge.Config{Provider: cfg.Publish.Provider, APIURL: cfg.Publish.APIURL, Repo: cfg.Publish.Repo},
			Labels: cfg.Publish.Labels, Reviewers: cfg.Publish.Reviewers, Assignees: cfg.Publish.Assignees,
			Draft: cfg.Publish.Draft,
		}
	}
	cacheDir := cmp.Or(opts.CacheDir, os.Getenv("KBSYNC_CACHE_DIR"))
	if cacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return usagef("no cache folder for remote knowledge bases: pass --cache-dir (%v)", err)
		}
		cacheDir = filepath.Join(dir, "kbsync")
	}
	so := kbsync.Options{
		Sources:   sources,
		DryRun:    opts.DryRun,
		Templates: cfg.Templates,
		Preset:    cfg.KB.Preset,

		StructuredData: cfg.KB.JSONLD,
		Lang:           cfg.KB.Lang,
		Force:          opts.Force,
		Prune:          opts.Prune,
		Workers:        opts.Workers,
		LockWait:       opts.LockWait,
		Push:           opts.Push,
		Token:          token(),
		CacheDir:       cacheDir,
		PR:             pr,
		Version:        versionString(),
		KB: kb.Options{Path: kbPath, ContentDir: cfg.KB.ContentDir, Branch: branch, Base: base,
			Author: kb.Signature{Name: name, Email: email}, Now: commitTime, Hook: opts.io.hook},
		Redact: cfg.redact(),
		Policy: policy,
	}
	var prog *progress
	if opts.io.ErrIsTTY && !opts.JSON {
		prog = &progress{w: opts.io.Err, start: time.Now()}
		so.Progress = prog.update
	}
	rep, err := kbsync.Run(cmd.Context(), so)
	prog.done()
	if rep == nil {
		return err
	}
	defer rep.Close()
	// A run that committed but failed to push or publish still reports
	// what it did, then fails.
	if opts.JSON {
		if jerr := rep.WriteJSON(opts.io.Out); jerr != nil {
			return jerr
		}
		return err
	}
	if opts.DryRun && rep.PRTitle != "" {
		fmt.Fprintf(opts.io.Out, "%s\n\n%s", rep.PRTitle, rep.PRBody)
	}
	if rep.Recovered != "" {
		fmt.Fprintln(opts.io.Err, "kbsync: "+rep.Recovered)
	}
	printSummary(opts.io, rep, opts.DryRun, kbPath)
	return err
}

// token is the credential for pushes and the forge API: never read from a
// file, never printed.
func token() string {
	return cmp.Or(os.Getenv("KBSYNC_TOKEN"), os.Getenv("GITHUB_TOKEN"), os.Getenv("GITLAB_TOKEN"))
}

// commitTime honours SOURCE_DATE_EPOCH, the reproducible-builds convention,
// so that tests and reproducible pipelines get stable commit hashes.
func commitTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now()
}

func printSummary(io *streams, rep *kbsync.Report, dry bool, kbPath string) {
	w := io.Err
	n := rep.Articles.Len()
	err := rep.Articles.Each(func(a kbsync.ArticleReport) error {
		line := fmt.Sprintf("%-9s %s", a.Action, a.Path)
		if a.Reason != "" {
			line += ": " + a.Reason
		}
		if n <= 50 || a.Action == "conflict" {
			fmt.Fprintln(w, forum.OneLine(line))
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(w, "kbsync: listing the articles: %v\n", err)
	}
	c := rep.Counts
	fmt.Fprintf(w, "%d added, %d updated, %d unchanged, %d conflict, %d retired, %d skipped",
		c.Added, c.Updated, c.Unchanged, c.Conflict, c.Retired, c.Skipped)
	var reasons []string
	for r, n := range rep.Skipped {
		if n > 0 {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
	}
	sort.Strings(reasons)
	if len(reasons) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(reasons, ", "))
	}
	fmt.Fprintln(w)
	switch {
	case dry:
		fmt.Fprintln(w, "dry run: nothing was written")
	case rep.Commit != "":
		fmt.Fprintf(w, "committed %s on %s in %s\n", rep.Commit[:12], rep.Branch, kb.Redact(kbPath, ""))
	default:
		fmt.Fprintln(w, "nothing changed: no commit")
	}
	if rep.Pushed {
		fmt.Fprintf(w, "pushed %s to origin\n", rep.Branch)
	}
	if rep.PROperation != "" {
		fmt.Fprintf(w, "pull request %s: %s\n", rep.PROperation, rep.PRURL)
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintln(w, "warning: "+forum.OneLine(warn))
	}
}
