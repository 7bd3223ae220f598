package sync

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/redact"
)

// PreviewOptions say what to preview.
type PreviewOptions struct {
	Source    Source
	ID        string // one thread; empty for every solved thread
	Templates string
	Policy    Policy
	Redact    redact.Config
	Preset    string
	// StructuredData: "qapage", "faqpage" or "".
	StructuredData string
	// Lang: "", "auto" or a tag, as Options.Lang.
	Lang string
}

// errStop ends a reader early once the wanted thread was found.
var errStop = errors.New("stop")

// Preview renders articles to w without touching any knowledge base. With
// several articles, each is preceded by a "==> slug.md <==" line.
func Preview(ctx context.Context, opts PreviewOptions, w io.Writer) error {
	r, err := newRendererFor(opts.Templates, opts.Preset, opts.Redact, opts.StructuredData)
	if err == nil {
		err = r.setLang(opts.Lang)
	}
	if err != nil {
		return err
	}
	rd, _, err := opts.Source.open(forum.Options{})
	if err != nil {
		return err
	}
	found, n := false, 0
	err = rd.Threads(ctx, func(t *forum.Thread) error {
		if opts.ID != "" && t.ID != opts.ID {
			return nil
		}
		found = true
		if reason := opts.Policy.apply(t); reason != "" {
			if opts.ID != "" {
				return &forum.InputError{Format: t.Source, Path: opts.Source.Path, Record: "thread " + t.ID, Offset: -1,
					Err: fmt.Errorf("no article: %s", reason)}
			}
			return nil
		}
		out, err := r.render(t)
		if err != nil {
			if opts.ID != "" {
				return fmt.Errorf("%s thread %s: %w", t.Source, t.ID, err)
			}
			return nil
		}
		if opts.ID == "" {
			if n > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "==> %s.md <==\n", slugFor(t))
		}
		n++
		if _, err := w.Write(out.content); err != nil {
			return err
		}
		if opts.ID != "" {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if opts.ID != "" && !found {
		return &forum.InputError{Path: opts.Source.Path, Record: "thread " + opts.ID, Offset: -1,
			Err: errors.New("no such thread in the export")}
	}
	return nil
}
