package sync

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/kb/forge"
	"github.com/kbsync/kbsync/templates"
)

// PROptions configure the pull request a sync opens or updates.
type PROptions struct {
	Forge     forge.Config // empty fields are inferred from the remote URL
	Labels    []string
	Reviewers []string
	Assignees []string
	Draft     bool
	// HTTPClient talks to the forge API; nil means a default client.
	HTTPClient *http.Client
}

// prTitle is built from a fixed text and numbers only: no forum text ever
// reaches a pull request's title (workflows may interpolate it).
func prTitle(c Counts) string {
	var parts []string
	if c.Added > 0 {
		parts = append(parts, fmt.Sprintf("%d new", c.Added))
	}
	if c.Updated > 0 {
		parts = append(parts, fmt.Sprintf("%d updated", c.Updated))
	}
	if c.Retired > 0 {
		parts = append(parts, fmt.Sprintf("%d retired", c.Retired))
	}
	if len(parts) == 0 {
		return "kbsync: FAQ articles from the community"
	}
	return "kbsync: " + strings.Join(parts, ", ") + " FAQ articles"
}

// prBody renders the review table of a sync.
func prBody(tmpl *templates.Set, rep *Report, results *kb.ResultSet, sources []Source, k *kb.KB, base, version string) (string, error) {
	b := &templates.PRBody{Branch: rep.Branch, Base: base, Version: version, Others: k.Others}
	var names []string
	for _, s := range sources {
		names = append(names, kb.Redact(s.Path, ""))
	}
	b.Sources = "`" + strings.Join(names, "`, `") + "`"
	err := results.Each(func(r kb.Result) error {
		row := templates.PRRow{Action: string(r.Action), Path: r.Path, ID: r.ID.String(), Title: r.Info.Title,
			SourceURL: r.Info.SourceURL, AnswerAuthor: r.Info.AnswerAuthor, Score: r.Info.Score,
			Redactions: r.Info.Redactions, Reason: r.Reason, Blocked: r.Action == kb.Conflict}
		b.Rows = append(b.Rows, row)
		if row.Blocked {
			b.Blocked = append(b.Blocked, row)
		} else {
			b.Files = append(b.Files, row)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("pull request body: %w", err)
	}
	for reason, n := range rep.Skipped {
		if n > 0 {
			b.Skipped = append(b.Skipped, templates.Skip{Reason: reason, Count: n})
		}
		b.SkippedTotal += n
	}
	sort.Slice(b.Skipped, func(i, j int) bool { return b.Skipped[i].Reason < b.Skipped[j].Reason })
	var sb strings.Builder
	if err := tmpl.PRBody(&sb, b); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// publish pushes the branch and opens, updates or closes its pull request.
func publish(ctx context.Context, opts Options, k *kb.KB, rep *Report, title, body string) error {
	cfg, err := forge.Resolve(opts.PR.Forge, k.OriginURL())
	if err != nil {
		return &kb.UsageError{Err: fmt.Errorf("publish: %w", err)}
	}
	fp, err := forge.New(cfg, opts.Token, opts.PR.HTTPClient)
	if err != nil {
		return &kb.UsageError{Err: fmt.Errorf("publish: %w", err)}
	}
	proposes, err := k.Proposal()
	if err != nil {
		return err
	}
	if proposes {
		if rep.Pushed, err = k.Push(ctx, opts.Token); err != nil {
			return err
		}
	}
	res, err := fp.Ensure(ctx, forge.Request{Head: rep.Branch, Base: k.BaseBranch(), Title: title, Body: body,
		Labels: opts.PR.Labels, Reviewers: opts.PR.Reviewers, Assignees: opts.PR.Assignees, Draft: opts.PR.Draft,
		CloseIfEmpty: !proposes})
	if err != nil {
		return err
	}
	rep.PRURL, rep.PROperation, rep.Warnings = res.URL, res.Operation, append(rep.Warnings, res.Warnings...)
	return nil
}
