// Package sync is the forum wing: Run streams threads from the exports,
// selects the solved ones, converts and renders them in a bounded pool of
// workers, and hands the articles to the knowledge base, which commits them.
//
// The package name shadows the standard library's sync; code here imports
// that one as stdsync.
package sync

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	stdsync "sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/text/language"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/convert"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/redact"
	"github.com/kbsync/kbsync/templates"
)

// Options configure one sync.
type Options struct {
	Sources   []Source
	KB        kb.Options
	DryRun    bool
	Templates string // folder overriding the embedded templates
	Preset    string // site generator preset; "" is hugo
	// StructuredData adds schema.org JSON-LD to the front matter:
	// "qapage", "faqpage" or "" (none).
	StructuredData string
	// Lang: "" the language the source states, "auto" detect it too, or the
	// BCP 47 tag of a single-language forum.
	Lang    string
	Policy  Policy
	Force   []string // --force-regenerate
	Prune   bool
	Workers int // 0: one per CPU
	// Push sends the branch to origin after committing.
	Push bool
	// Token authenticates pushes and fetches over HTTPS.
	Token string
	// CacheDir holds clones of remote knowledge bases (KB.Path a URL).
	CacheDir string
	// PR, when set, pushes the branch and opens, updates or closes its pull
	// request (implies Push).
	PR *PROptions
	// Version is kbsync's version, for the pull-request body.
	Version string
	// Redact configures the redaction of personal data and secrets.
	Redact redact.Config
	// LockWait is how long to wait for another run on the same knowledge
	// base to finish.
	LockWait time.Duration
	// Progress, when set, is called from time to time with the number of
	// threads read so far.
	Progress func(threads int)
}

// Counts are the report's totals.
type Counts struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Conflict  int `json:"conflict"`
	Retired   int `json:"retired"`
	Skipped   int `json:"skipped"`
}

// ArticleReport is one article the run touched or found in conflict.
type ArticleReport struct {
	Path       string `json:"path"`
	Action     string `json:"action"`
	Source     string `json:"source"`
	SourceID   string `json:"source_id"`
	Title      string `json:"title"`
	SourceURL  string `json:"source_url"`
	Redactions int    `json:"redactions"`
	Reason     string `json:"reason,omitempty"`
}

// Report is what sync prints with --json.
type Report struct {
	Counts   Counts         `json:"counts"`
	Skipped  map[string]int `json:"skipped"`
	Articles Articles       `json:"articles"`
	Commit   string         `json:"commit"`
	Branch   string         `json:"branch"`
	Pushed   bool           `json:"pushed"`
	PRURL    string         `json:"pr_url"`
	// PROperation is what happened to the pull request: created, updated,
	// unchanged, closed, or "" when there was none to touch.
	PROperation string `json:"pr_operation"`
	// PRTitle and PRBody are what a dry run with --pr would send.
	PRTitle  string   `json:"pr_title,omitempty"`
	PRBody   string   `json:"pr_body,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Recovered says how an interrupted earlier run was finished.
	Recovered string `json:"recovered,omitempty"`
}

func newReport() *Report {
	// The common reasons are always present, so scripts can read them.
	return &Report{Skipped: map[string]int{forum.SkipNoAcceptedAnswer: 0, SkipFiltered: 0, forum.SkipPrivate: 0},
		Articles: NewArticles()}
}

// Run performs a sync. A failed run leaves the knowledge base as it was.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if len(opts.Sources) == 0 {
		return nil, &forum.InputError{Path: "", Offset: -1, Err: errors.New("no export to read"),
			Hint: "pass --from PATH or list sources in kbsync.yaml"}
	}
	r, err := newRendererFor(opts.Templates, opts.Preset, opts.Redact, opts.StructuredData)
	if err == nil {
		err = r.setLang(opts.Lang)
	}
	if err != nil {
		return nil, err
	}
	readers := make([]forum.Reader, len(opts.Sources))
	for i, s := range opts.Sources {
		if readers[i], _, err = s.open(forum.Options{}); err != nil {
			return nil, err
		}
	}
	opts.KB.DryRun = opts.DryRun
	if opts.PR != nil {
		opts.KB.Rebuild = true
	}
	remoteURL := ""
	if kb.IsRemote(opts.KB.Path) {
		remoteURL = opts.KB.Path
		opts.KB.Path = kb.CacheDir(opts.CacheDir, remoteURL)
		opts.KB.Bare = true
	}
	if !opts.DryRun {
		unlock, err := kb.Lock(ctx, opts.KB.Path, opts.LockWait)
		if err != nil {
			return nil, err
		}
		defer unlock()
		if remoteURL != "" {
			f, err := kb.Prepare(ctx, remoteURL, opts.KB.Path, opts.KB.Base, opts.KB.Branch, opts.Token)
			if err != nil {
				return nil, err
			}
			opts.KB.Base = f.Base
		}
	}
	if opts.Push && remoteURL == "" && opts.DryRun {
		opts.Push = false
	}
	// The exports' reading starts now: a first pass (Stack Exchange's
	// index of accepted answers) then overlaps reading the knowledge base's
	// manifest, which a re-sync of 100,000 articles spends 0.4 s on.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rd := startReading(ctx, readers)
	defer rd.stop()
	k, err := kb.Open(ctx, opts.KB)
	if err != nil {
		return nil, err
	}
	plan, err := k.Plan(kb.PlanOptions{Force: opts.Force, Prune: opts.Prune, MarkDraft: r.preset.MarkDraft,
		DryRun: opts.DryRun, Indexes: r.indexes})
	if err != nil {
		return nil, err
	}
	stage, err := k.Stager()
	if err != nil {
		plan.Abort()
		return nil, err
	}
	rep := newReport()
	rep.Branch = k.Branch()
	rep.Recovered = k.Recovered
	if err := run(ctx, opts, rd, r, plan, stage, rep); err != nil {
		plan.Abort()
		return nil, err
	}
	results, counts, err := plan.Results()
	if err != nil {
		plan.Abort()
		var dup *kb.DuplicateError
		if errors.As(err, &dup) {
			return nil, &forum.InputError{Format: dup.ID.Source, Path: "", Record: "thread " + dup.ID.ID, Offset: -1,
				Err: errors.New("the same thread appears twice in the exports"), Hint: "pass each export once"}
		}
		return nil, err
	}
	fillReport(rep, results, counts) // the rows are read when used
	var title, body string
	if opts.PR != nil {
		title = prTitle(rep.Counts)
		if body, err = prBody(r.tmpl, rep, results, opts.Sources, k, k.BaseBranch(), opts.Version); err != nil {
			plan.Abort()
			return nil, err
		}
	}
	if opts.DryRun {
		plan.Abort()
		rep.PRTitle, rep.PRBody = title, body
		return rep, nil
	}
	res, err := plan.Commit(ctx, func(results *kb.ResultSet, counts map[kb.Action]int) (string, error) {
		return commitMessage(r.tmpl, results, counts)
	})
	if err != nil {
		return nil, err
	}
	rep.Commit = res.Hash
	switch {
	case opts.PR != nil:
		if err := publish(ctx, opts, k, rep, title, body); err != nil {
			return rep, err
		}
	case opts.Push:
		if rep.Pushed, err = k.Push(ctx, opts.Token); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func fillReport(rep *Report, results *kb.ResultSet, counts map[kb.Action]int) {
	rep.Counts.Added = counts[kb.Added]
	rep.Counts.Updated = counts[kb.Updated]
	rep.Counts.Unchanged = counts[kb.Unchanged]
	rep.Counts.Conflict = counts[kb.Conflict]
	rep.Counts.Retired = counts[kb.Retired]
	for _, n := range rep.Skipped {
		rep.Counts.Skipped += n
	}
	rep.Articles = Articles{set: results}
}

// Articles are a report's rows, sorted by path. A sync's rows are read
// from its plan's results when they are used, not held: a first sync of a
// million threads has ~250 MB of them. The zero value marshals as null.
type Articles struct {
	set  *kb.ResultSet
	rows []ArticleReport
}

// NewArticles makes rows held in memory.
func NewArticles(rows ...ArticleReport) Articles {
	if rows == nil {
		rows = []ArticleReport{}
	}
	return Articles{rows: rows}
}

// Len is the number of rows.
func (a Articles) Len() int {
	if a.set != nil {
		return a.set.Len()
	}
	return len(a.rows)
}

// Each hands the rows to fn in order; it stops at fn's first error.
func (a Articles) Each(fn func(ArticleReport) error) error {
	if a.set != nil {
		return a.set.Each(func(r kb.Result) error { return fn(articleRow(r)) })
	}
	for _, r := range a.rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// List reads every row into memory.
func (a Articles) List() ([]ArticleReport, error) {
	list := make([]ArticleReport, 0, a.Len())
	err := a.Each(func(r ArticleReport) error { list = append(list, r); return nil })
	return list, err
}

// MarshalJSON writes the rows as an array (null for the zero value).
// Report.WriteJSON streams them instead.
func (a Articles) MarshalJSON() ([]byte, error) {
	if a.set == nil && a.rows == nil {
		return []byte("null"), nil
	}
	list, err := a.List()
	if err != nil {
		return nil, err
	}
	return json.Marshal(list)
}

// Close releases the file a large sync keeps its rows in; Each fails
// after it.
func (a Articles) Close() {
	if a.set != nil {
		a.set.Close()
	}
}

func articleRow(r kb.Result) ArticleReport {
	return ArticleReport{Path: r.Path, Action: string(r.Action), Source: r.ID.Source, SourceID: r.ID.ID,
		Title: r.Info.Title, SourceURL: r.Info.SourceURL, Redactions: r.Info.Redactions, Reason: r.Reason}
}

// job is a thread on its way to a worker.
type job struct {
	seq     int
	thread  *forum.Thread
	hash    string
	aliases []string // earlier paths of merged duplicates, relative to the content folder
}

// done is a worker's answer.
type done struct {
	job
	art  *article
	blob kb.Encoded
	err  error
}

// reading is the exports' threads, read in the background in order.
type reading struct {
	threads chan *forum.Thread
	err     error // set before threads is closed
	cancel  context.CancelFunc
}

func startReading(ctx context.Context, readers []forum.Reader) *reading {
	ctx, cancel := context.WithCancel(ctx)
	rd := &reading{threads: make(chan *forum.Thread, 64), cancel: cancel}
	go func() {
		defer close(rd.threads)
		for _, r := range readers {
			err := r.Threads(ctx, func(t *forum.Thread) error {
				select {
				case rd.threads <- t:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if err != nil {
				rd.err = err
				return
			}
		}
	}()
	return rd
}

// stop ends the reading and waits for the readers to return, so that no
// export file is still open when Run returns.
func (rd *reading) stop() {
	rd.cancel()
	for range rd.threads {
	}
}

// run is the pipeline: readers feed threads in order; this goroutine, the
// only one touching the plan (and so the repository), selects them and
// queues conversions; the workers render and encode in parallel.
func run(ctx context.Context, opts Options, rd *reading, r *renderer, plan *kb.Plan, stage *kb.Stager, rep *Report) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	threads := rd.threads

	jobs := make(chan job, workers)
	results := make(chan done, workers)
	var wg stdsync.WaitGroup
	for range workers {
		wg.Add(1)
		go func(r *renderer) {
			defer wg.Done()
			enc := kb.NewEncoder()
			for j := range jobs {
				d := done{job: j}
				d.art, d.err = r.renderWith(j.thread, j.aliases)
				if d.err == nil {
					d.blob = enc.Encode(plumbingBlob, d.art.content)
					// Write the file now, in parallel; the commit renames it.
					d.err = stage.Put(d.blob.Hash.String(), d.art.content)
				}
				select {
				case results <- d:
				case <-ctx.Done():
					return
				}
			}
		}(r.forWorker())
	}
	defer func() {
		cancel()
		close(jobs)
		wg.Wait()
	}()

	var queue []job
	in, inflight, seq := threads, 0, 0
	for in != nil || len(queue) > 0 || inflight > 0 {
		var out chan job
		var next job
		if len(queue) > 0 {
			out, next = jobs, queue[0]
		}
		recv := in
		if len(queue) >= 4*workers {
			recv = nil // back-pressure: memory stays bounded by the queue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case t, ok := <-recv:
			if !ok {
				in = nil
				if rd.err != nil {
					return rd.err
				}
				continue
			}
			seq++
			if opts.Progress != nil && seq%1000 == 0 {
				opts.Progress(seq)
			}
			id := identity(t)
			plan.Saw(id) // a thread given twice fails the run before the commit
			if reason := opts.Policy.apply(t); reason != "" {
				rep.Skipped[reason]++
				if retires(reason) {
					if err := plan.Retire(id, func() kb.Info {
						title, _ := r.redactor().Plain(t.Title)
						return kb.Info{Title: title, SourceURL: t.URL}
					}); err != nil {
						return err
					}
				}
				continue
			}
			j := job{seq: seq, thread: t, hash: r.sourceHash(t), aliases: aliases(plan, t)}
			if len(j.aliases) > 0 {
				j.hash += "+" + hashBytes([]byte(strings.Join(j.aliases, "\n")))
			}
			if plan.Need(id, j.hash, func() kb.Info { return r.info(t) }) {
				queue = append(queue, j)
			}
		case out <- next:
			queue = queue[1:]
			inflight++
		case d := <-results:
			inflight--
			t := d.thread
			if d.err != nil {
				var hold *errHold
				if errors.As(d.err, &hold) {
					rep.Skipped[hold.reason]++
					continue
				}
				return fmt.Errorf("%s thread %s: %w", t.Source, t.ID, d.err)
			}
			in := kb.Info{Title: d.art.title, Tags: d.art.tags, SourceURL: t.URL, AnswerAuthor: d.art.author,
				Score: t.Score, Redactions: d.art.redactions}
			err := plan.Put(&kb.Article{ID: identity(t), Seq: d.seq, Slug: slugFor(t), Blob: d.blob,
				SourceHash: d.hash, Info: in})
			if err != nil {
				return err
			}
		}
	}
	if opts.Progress != nil {
		opts.Progress(seq)
	}
	return nil
}

const plumbingBlob = plumbing.BlobObject

// slugFor is the preferred file name of a thread's article.
func slugFor(t *forum.Thread) string { return convert.Slug(t.Title) }

// aliases are the paths of the articles of a thread's duplicates, which
// merge into its article: the site redirects them there.
func aliases(plan *kb.Plan, t *forum.Thread) []string {
	dir := plan.ContentDir()
	var out []string
	for _, d := range t.Duplicates {
		p, ok := plan.PathOf(kb.Identity{Source: t.Source, Site: siteName(t.Site), ID: d.ID})
		if ok && strings.HasPrefix(p, dir+"/") {
			out = append(out, strings.TrimPrefix(p, dir+"/"))
		}
	}
	sort.Strings(out)
	return out
}

// newRendererFor loads the templates and the preset and builds the
// redactor. structured is the schema.org JSON-LD kind ("", "qapage",
// "faqpage").
func newRendererFor(dir, preset string, rc redact.Config, structured string) (*renderer, error) {
	tmpl, err := templates.Load(dir)
	if err != nil {
		return nil, err
	}
	p, err := templates.LookupPreset(cmp.Or(preset, "hugo"))
	if err != nil {
		return nil, &forum.InputError{Path: "preset", Offset: -1, Err: err}
	}
	var red func() *redact.Redactor
	if len(rc.Extra) > 0 || len(rc.Rules) > 0 || len(rc.Allow) > 0 || (rc.Region != "" && rc.Region != "US") {
		// Custom settings are checked now, before any work.
		rd, err := redact.New(rc)
		if err != nil {
			return nil, &forum.InputError{Path: "redact", Offset: -1, Err: err, Hint: "check the redact settings in kbsync.yaml"}
		}
		red = func() *redact.Redactor { return rd }
	} else {
		// The default rules (TestDefaultRedactor builds them) are compiled
		// when a thread first needs them: ~30 ms a no-op run never spends.
		red = stdsync.OnceValue(func() *redact.Redactor {
			rd, err := redact.New(rc)
			if err != nil {
				panic("kbsync: the default redaction rules do not build: " + err.Error())
			}
			return rd
		})
	}
	var kind string
	switch strings.ToLower(structured) {
	case "":
	case "qapage":
		kind = templates.JSONLDQAPage
	case "faqpage":
		kind = templates.JSONLDFAQPage
	default:
		return nil, &forum.InputError{Path: "kb.jsonld", Offset: -1, Err: fmt.Errorf("unknown structured data %q", structured), Hint: "use qapage, faqpage or leave it empty"}
	}
	key, _ := json.Marshal(rc) // a change of redaction settings renders again
	r := newRenderer(tmpl, p, red, hashBytes(key)+"/"+kind)
	r.structured = kind
	return r, nil
}

// setLang checks and sets kb.lang.
func (r *renderer) setLang(lang string) error {
	lang = strings.TrimSpace(lang)
	if lang != "" && lang != "auto" {
		if _, err := language.Parse(lang); err != nil {
			return &forum.InputError{Path: "kb.lang", Offset: -1, Err: fmt.Errorf("%q is not a language tag", lang),
				Hint: `use "" (the source's), "auto" (detect) or a BCP 47 tag such as fr`}
		}
	}
	r.lang = lang
	r.fingerprint += "/lang=" + lang
	return nil
}

// indexes adapts the preset's index pages to the knowledge base.
func (r *renderer) indexes(entries func() ([]kb.IndexEntry, error)) (map[string][]byte, error) {
	var in []templates.IndexEntry
	if r.preset.ListsArticles() {
		list, err := entries()
		if err != nil {
			return nil, err
		}
		in = make([]templates.IndexEntry, len(list))
		for i, e := range list {
			in[i] = templates.IndexEntry{Path: e.Path, Title: e.Title, Tags: e.Tags}
		}
	}
	return r.preset.Indexes(in)
}

// info describes a thread for a conflict row, with its forum text redacted.
func (r *renderer) info(t *forum.Thread) kb.Info {
	title, _ := r.redactor().Plain(t.Title)
	i := kb.Info{Title: title, SourceURL: t.URL, Score: t.Score}
	if t.Answer != nil {
		i.AnswerAuthor, _ = r.redactor().Plain(t.Answer.Author)
	}
	return i
}

// maxCommitLines caps the articles a commit message lists by name.
const maxCommitLines = 200

func commitMessage(tmpl *templates.Set, results *kb.ResultSet, counts map[kb.Action]int) (string, error) {
	var parts []string
	for _, a := range []kb.Action{kb.Added, kb.Updated, kb.Retired, kb.Conflict} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	c := &templates.Commit{Subject: "kbsync: " + strings.Join(parts, ", ")}
	if len(parts) == 0 {
		c.Subject = "kbsync: refresh the manifest"
	}
	// Every conflict is listed; other changes up to a readable number (the
	// manifest's diff holds them all).
	listed, more := 0, 0
	err := results.Each(func(r kb.Result) error {
		if r.Action != kb.Conflict && listed >= maxCommitLines {
			more++
			return nil
		}
		line := fmt.Sprintf("%s %s (%s)", r.Action, r.Path, r.ID)
		if r.Reason != "" {
			line += ": " + r.Reason
		}
		c.Lines = append(c.Lines, forum.OneLine(line))
		if r.Action != kb.Conflict {
			listed++
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("commit message: %w", err)
	}
	if more > 0 {
		c.Lines = append(c.Lines, fmt.Sprintf("... and %d more (see the diff of %s)", more, kb.ManifestPath))
	}
	var b strings.Builder
	if err := tmpl.Commit(&b, c); err != nil {
		return c.Subject + "\n", nil
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}
