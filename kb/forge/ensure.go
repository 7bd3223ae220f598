package forge

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// pull is the platform-neutral view of an open pull/merge request.
type pull struct {
	Number   int
	URL      string
	Title    string // as stored, with any draft prefix
	Body     string
	Base     string
	Labels   []string
	SameRepo bool // head branch lives in the target repository; open() returns only these
}

// backend is one platform's handful of calls. Errors it returns are *Error
// already; create sets Error.exists when the platform refuses a duplicate.
type backend interface {
	platform() string
	repo() string
	bodyLimit() int
	// open lists open requests whose head is branch, in any order.
	open(ctx context.Context, head string) ([]pull, error)
	create(ctx context.Context, req Request, title, body string) (pull, []string, error)
	// wantTitle is the title to store for an existing request: platforms
	// that mark drafts with a title prefix keep the prefix it has now.
	wantTitle(p pull, title string) string
	// edit sets the non-nil fields.
	edit(ctx context.Context, p pull, title, body, base *string) error
	addLabels(ctx context.Context, p pull, labels []string) error
	close(ctx context.Context, p pull) error
	deleteBranch(ctx context.Context, branch string) error
}

type ensurer struct {
	b  backend
	sc scrubber
}

// Ensure makes the open request for req.Head match req, creating, updating
// or closing it. It never creates a second request for the same head.
func (e *ensurer) Ensure(ctx context.Context, req Request) (Result, error) {
	b := e.b
	title, body, err := normalize(req, b.bodyLimit())
	if err != nil {
		return Result{}, &Error{Platform: b.platform(), Op: "checking the request for " + b.repo(), Detail: e.sc.clean(err.Error()),
			Hint: "fix the branch or title in kbsync.yaml (git.branch, publish.base) or on the command line"}
	}
	prs, err := b.open(ctx, req.Head)
	if err != nil {
		return Result{}, err
	}
	sort.Slice(prs, func(i, j int) bool { return prs[i].Number < prs[j].Number })

	if req.CloseIfEmpty {
		return e.closeAll(ctx, req.Head, prs)
	}

	var res Result
	if len(prs) == 0 {
		p, warns, err := b.create(ctx, req, title, body)
		switch {
		case err == nil:
			return Result{URL: p.URL, Number: p.Number, Operation: Created, Warnings: warns}, nil
		case isExists(err) || isServerError(err):
			// Created by a concurrent run, hidden from the list by a stale
			// index, or created before a 5xx: look again, then update.
			again, lerr := b.open(ctx, req.Head)
			if lerr != nil || len(again) == 0 {
				return Result{}, err
			}
			prs = again
			sort.Slice(prs, func(i, j int) bool { return prs[i].Number < prs[j].Number })
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: creating the request for %s failed (%s), but one exists; updated it instead",
				b.platform(), req.Head, firstLine(err.Error())))
		default:
			return Result{}, err
		}
	}

	p := prs[0]
	res.URL, res.Number = p.URL, p.Number
	if len(prs) > 1 {
		res.Warnings = append(res.Warnings, duplicatesWarning(b.platform(), req.Head, prs))
	}
	var newTitle, newBody, newBase *string
	if t := b.wantTitle(p, title); t != p.Title {
		newTitle = &t
	}
	if !sameText(p.Body, body) {
		newBody = &body
	}
	if p.Base != "" && p.Base != req.Base {
		newBase = &req.Base
	}
	res.Operation = Unchanged
	if newTitle != nil || newBody != nil || newBase != nil {
		if err := b.edit(ctx, p, newTitle, newBody, newBase); err != nil {
			return Result{}, err
		}
		res.Operation = Updated
	}
	if missing := missingLabels(p.Labels, req.Labels); len(missing) > 0 {
		if err := b.addLabels(ctx, p, missing); err != nil {
			res.Warnings = append(res.Warnings, err.Error())
		}
	}
	return res, nil
}

// closeAll closes every open request for head (the branch is going away, so
// duplicates would be closed by the platform anyway) and deletes the branch.
func (e *ensurer) closeAll(ctx context.Context, head string, prs []pull) (Result, error) {
	b := e.b
	if len(prs) == 0 {
		return Result{Operation: Nothing}, nil
	}
	res := Result{URL: prs[0].URL, Number: prs[0].Number, Operation: Closed}
	if len(prs) > 1 {
		res.Warnings = append(res.Warnings, duplicatesWarning(b.platform(), head, prs)+"; closed them all")
	}
	for _, p := range prs {
		if err := b.close(ctx, p); err != nil {
			return Result{}, err
		}
	}
	// open() returned only requests from this repository, so the branch
	// is ours to delete, never one in someone's fork.
	if err := b.deleteBranch(ctx, head); err != nil {
		res.Warnings = append(res.Warnings, err.Error())
	}
	return res, nil
}

func duplicatesWarning(platform, head string, prs []pull) string {
	nums := make([]string, len(prs))
	for i, p := range prs {
		nums[i] = fmt.Sprintf("#%d", p.Number)
	}
	return fmt.Sprintf("%s: %d open requests use branch %s (%s); kept the oldest, #%d; close the others",
		platform, len(prs), head, strings.Join(nums, ", "), prs[0].Number)
}

// missingLabels returns the wanted labels not present (case-insensitive, as
// GitHub and GitLab treat label names).
func missingLabels(have, want []string) []string {
	seen := map[string]bool{}
	for _, h := range have {
		seen[strings.ToLower(h)] = true
	}
	var out []string
	for _, w := range want {
		w = strings.TrimSpace(w)
		if w == "" || seen[strings.ToLower(w)] {
			continue
		}
		seen[strings.ToLower(w)] = true
		out = append(out, w)
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
