// Package khoros reads Khoros (Lithium) Community API v2 message collections:
// the JSON responses of LiQL queries such as
//
//	SELECT id, subject, body, author, post_time, edit_time, board, conversation,
//	       depth, parent, topic, is_solution, solution_data, kudos.sum(weight),
//	       view_href, read_only, labels, tags, metrics FROM messages
//
// A file holds one response ({"status":"success","data":{"type":"messages",
// "items":[...]}}), several responses one after another (pages appended to one
// file, JSON Lines included), or a JSON array of responses. PATH is such a file
// or a folder whose *.json files are read in name order.
//
// Messages are grouped into threads by conversation.id, and a conversation's
// messages may be spread over any number of responses and files, in any order.
// Memory does not grow with message bodies: a first pass validates every item
// and keeps, per message, its id and where its bytes are (file, offset,
// length: about 60 bytes a message); a second pass reads one conversation at a
// time back with ReadAt and yields it. Threads come in the order in which their
// conversation first appears in the input.
//
// Thread.ID is the topic message id (the depth 0 message), which is the number
// in the topic's URL (…/td-p/<id>); conversation.id is only used for grouping.
//
// Replies with is_solution are accepted answers: the first accepted (by
// solution_data.time, else by post_time) is the Answer, the others are
// Solutions in the same order. Without one the thread is skipped as
// no_accepted_answer, or as accepted_answer_missing when conversation.solved
// says a solution exists that the export does not hold.
//
// Bad input: malformed or truncated JSON, a response that is not a messages
// collection or whose status is not "success", data.size disagreeing with
// the items, a message without id, conversation.id or a parsable post_time,
// a duplicate message id, a conversation without (or with two) depth 0
// messages, and a reply whose topic.id is another topic or whose parent is a
// message of another conversation. A parent that is not in the export at all
// is accepted (deleted or not selected).
package khoros

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

const format = forum.Khoros

// Export is an opened Khoros export: one file or a folder of *.json files.
type Export struct {
	files []string
	site  string
	limit int // post body cap
}

// Open lists the files under path. It does not read them: Threads does.
func Open(path string, opts forum.Options) (*Export, error) {
	files, err := listFiles(path)
	if err != nil {
		return nil, err
	}
	return &Export{files: files, site: opts.SiteURL(), limit: opts.PostLimit()}, nil
}

// listFiles returns path itself, or the *.json files of the folder path in
// name order (hidden files skipped, subfolders not entered).
func listFiles(path string) ([]string, error) {
	files, isDir, err := forum.ExportFiles(path, ".json")
	switch {
	case err != nil && !isDir:
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: forum.PathCause(err),
			Hint: "give a LiQL response file or a folder of them"}
	case err != nil:
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: forum.PathCause(err)}
	case len(files) == 0:
		return nil, &forum.InputError{Format: format, Path: path, Offset: -1, Err: errors.New("no *.json files in folder"),
			Hint: "save each LiQL response as a .json file in this folder"}
	}
	return files, nil
}

// Threads streams one thread per conversation, solved or not.
func (e *Export) Threads(ctx context.Context, yield func(*forum.Thread) error) error {
	ix, err := e.index(ctx)
	if err != nil {
		return err
	}
	recs := jsonstream.NewRecords(e.files)
	defer recs.Close()
	for ci := range ix.convs {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, err := e.thread(ix, recs, int32(ci))
		if err != nil {
			return err
		}
		if err := yield(t); err != nil {
			return err
		}
	}
	return nil
}

// sniffSize is how much of a file Sniff reads.
const sniffSize = 8 << 10

// Sniff reports whether path (a file, or the first *.json file of a folder)
// starts like a LiQL messages response. It reads a small prefix only.
func Sniff(path string) (bool, error) {
	return jsonstream.SniffFirst(path, sniffSize, sniffBytes, ".json")
}

// sniffBytes looks for a top-level data.type == "messages" or
// data.list_item_type == "message" in a possibly cut-off JSON prefix.
func sniffBytes(b []byte) bool {
	found := false
	jsonstream.WalkPrefix(jsonstream.TrimBOM(b), func(path []string, v any) bool {
		s, ok := v.(string)
		if len(path) == 3 && path[0] == "[]" { // an array of responses
			path = path[1:]
		}
		if !ok || len(path) != 2 || path[0] != "data" {
			return true
		}
		switch path[len(path)-1] {
		case "type":
			found = s == "messages"
		case "list_item_type":
			found = s == "message"
		}
		return !found
	})
	return found
}

// errf builds an error message; a helper keeps call sites short.
func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// timeLayouts are the forms seen for Khoros times: RFC 3339 with
// milliseconds and an offset, sometimes without the colon in the offset.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
}

// parseTime parses a Khoros timestamp into UTC; "" gives the zero time.
func parseTime(s string) (time.Time, error) { return jsonstream.ParseTime(s, timeLayouts) }
