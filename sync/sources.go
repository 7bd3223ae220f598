package sync

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/discourse"
	"github.com/kbsync/kbsync/sync/forum/github"
	"github.com/kbsync/kbsync/sync/forum/jsonl"
	"github.com/kbsync/kbsync/sync/forum/khoros"
	"github.com/kbsync/kbsync/sync/forum/stackexchange"
	"github.com/kbsync/kbsync/sync/forum/zendesk"
)

// Source is one export to read.
type Source struct {
	Format string // empty: detect from the content
	Path   string
	Site   string // the forum's public address
}

// format is what kbsync knows about one export format.
type format struct {
	open  func(path string, opts forum.Options) (forum.Reader, error)
	sniff func(path string) (bool, error)
}

// formats is the table of readers, in detection order.
func formats() map[string]format {
	return map[string]format{
		forum.StackExchange: {
			open:  func(p string, o forum.Options) (forum.Reader, error) { return stackexchange.Open(p, o) },
			sniff: stackexchange.Sniff,
		},
		forum.Discourse: {
			open:  func(p string, o forum.Options) (forum.Reader, error) { return discourse.Open(p, o) },
			sniff: discourse.Sniff,
		},
		forum.GitHub: {
			open:  func(p string, o forum.Options) (forum.Reader, error) { return github.Open(p, o) },
			sniff: github.Sniff,
		},
		forum.Khoros: {
			open:  func(p string, o forum.Options) (forum.Reader, error) { return khoros.Open(p, o) },
			sniff: khoros.Sniff,
		},
		forum.Zendesk: {
			open:  func(p string, o forum.Options) (forum.Reader, error) { return zendesk.Open(p, o) },
			sniff: zendesk.Sniff,
		},
		forum.JSONL: {
			open:  func(p string, o forum.Options) (forum.Reader, error) { return jsonl.Open(p, o) },
			sniff: jsonl.Sniff,
		},
	}
}

// ParseFrom splits a --from value, FORMAT:PATH or PATH.
func ParseFrom(s string) Source {
	if i := strings.IndexByte(s, ':'); i > 0 {
		if _, ok := formats()[s[:i]]; ok {
			return Source{Format: s[:i], Path: s[i+1:]}
		}
	}
	return Source{Path: s}
}

// open opens one source, detecting its format when not given.
func (s Source) open(opts forum.Options) (forum.Reader, string, error) {
	all := formats()
	name := s.Format
	if name == "" {
		if _, err := os.Stat(s.Path); err != nil {
			return nil, "", &forum.InputError{Path: s.Path, Offset: -1, Err: errors.Unwrap(err),
				Hint: "check the --from path"}
		}
		for _, n := range forum.Formats {
			f, ok := all[n]
			if !ok {
				continue
			}
			if ok, err := f.sniff(s.Path); err == nil && ok {
				name = n
				break
			}
		}
		if name == "" {
			return nil, "", &forum.InputError{Path: s.Path, Offset: -1,
				Err:  errors.New("cannot tell the export format from the content"),
				Hint: "name it with --from FORMAT:PATH, FORMAT one of " + strings.Join(known(), ", ")}
		}
	}
	f, ok := all[name]
	if !ok {
		return nil, "", &forum.InputError{Path: s.Path, Offset: -1,
			Err: fmt.Errorf("unknown format %q", name), Hint: "use one of " + strings.Join(known(), ", ")}
	}
	opts.Site = s.Site
	r, err := f.open(s.Path, opts)
	return r, name, err
}

func known() []string {
	all := formats()
	var names []string
	for _, n := range forum.Formats {
		if _, ok := all[n]; ok {
			names = append(names, n)
		}
	}
	return names
}
