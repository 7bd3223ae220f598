// Package zendesk reads Zendesk Help Center community posts and their
// comments, as the Help Center API returns them.
//
// PATH is a file or a folder whose *.json files are read in name order. Each
// file holds one or more JSON objects, one after another (pages appended to
// one file, JSON Lines included). Each object is one of these layouts:
//
//	{"posts":[…], "users":[…], "next_page":…, …}     List Posts (?include=users)
//	{"comments":[…], "users":[…], "next_page":…, …}  List Post Comments, or a
//	                                                  user's comments (?include=users)
//	{"posts":[…], "comments":[…], "users":[…]}       our combined layout: any of
//	                                                  the three keys, in any order
//
// Other keys (next_page, previous_page, count, page, per_page, page_count,
// sort_by, sort_order, topics, meta, links) are ignored. An object with none
// of posts, comments or users is not accepted, nor is a top-level array.
// Users may be sideloaded in any file: author names are looked up across the
// whole export, and an author id without a sideloaded user becomes
// forum.FallbackAuthor(id).
//
// Comments arrive apart from their posts, so the reader joins them by index,
// not by holding records: a first pass validates every record and keeps, per
// post and per comment, its id and where its bytes are (file, offset,
// length), plus the users' names; a second pass reads one post and its
// comments at a time back with ReadAt. Memory is a few dozen bytes a record
// plus the user names; bodies are held one thread at a time.
//
// Threads come in the order of the posts in the input. A comment whose
// post_id matches no post in the export does not stop the run: its post is
// reported after the others as a thread with Status deleted and Skip
// deleted, holding its comments as replies (the post was deleted or left out
// of the export; either way it cannot be published). An export with comments
// but no posts at all is bad input.
package zendesk

import (
	"context"
	"errors"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

const format = forum.Zendesk

// Export is an opened Help Center export: one file or a folder of *.json files.
type Export struct {
	files []string
	site  string
	limit int
}

// Open lists the files under path. It does not read them: Threads does.
func Open(path string, opts forum.Options) (*Export, error) {
	files, err := listFiles(path)
	if err != nil {
		return nil, err
	}
	return &Export{files: files, site: opts.SiteURL(), limit: opts.PostLimit()}, nil
}

func listFiles(path string) ([]string, error) {
	files, isDir, err := forum.ExportFiles(path, ".json")
	switch {
	case err != nil && !isDir:
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: forum.PathCause(err),
			Hint: "give a Help Center posts or comments response file, or a folder of them"}
	case err != nil:
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: forum.PathCause(err)}
	case len(files) == 0:
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: errors.New("no *.json files in folder"),
			Hint: "save each API response as a .json file in this folder"}
	}
	return files, nil
}

// Threads streams one thread per post, answered or not.
func (e *Export) Threads(ctx context.Context, yield func(*forum.Thread) error) error {
	ix, err := e.index(ctx)
	if err != nil {
		return err
	}
	recs := jsonstream.NewRecords(e.files)
	defer recs.Close()
	order := append(append([]int32(nil), ix.postOrder...), ix.orphans()...)
	for _, gi := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, err := e.thread(ix, recs, gi)
		if err != nil {
			return err
		}
		if err := yield(t); err != nil {
			return err
		}
	}
	return nil
}

const sniffSize = 8 << 10

// Sniff reports whether path (a file, or the first *.json file of a folder)
// starts like a Help Center posts or post comments response: a top-level
// "posts" array whose first post has topic_id, details or vote_sum, or a
// "comments" array whose first comment has post_id. It reads a small prefix.
func Sniff(path string) (bool, error) {
	return jsonstream.SniffFirst(path, sniffSize, sniffBytes, ".json")
}

func sniffBytes(b []byte) bool {
	found := false
	jsonstream.WalkPrefix(jsonstream.TrimBOM(b), func(path []string, v any) bool {
		if len(path) != 3 || path[1] != "[]" {
			return true
		}
		switch path[0] + "." + path[2] {
		case "posts.topic_id", "posts.details", "posts.vote_sum", "comments.post_id":
			found = true
		}
		return !found
	})
	return found
}

// timeLayouts: Zendesk gives RFC 3339 UTC ("2024-04-17T17:18:10Z"); the
// others are accepted for exports that re-serialised the times.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
}

// parseTime parses a timestamp into UTC; "" gives the zero time.
func parseTime(s string) (time.Time, error) { return jsonstream.ParseTime(s, timeLayouts) }
