package zendesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// post is a community post as the Posts API gives it.
type post struct {
	ID           jsonstream.FlexID  `json:"id"`
	Title        string             `json:"title"`
	Details      string             `json:"details"`
	AuthorID     jsonstream.FlexID  `json:"author_id"`
	TopicID      jsonstream.FlexID  `json:"topic_id"`
	Status       string             `json:"status"`
	Pinned       bool               `json:"pinned"`
	Featured     bool               `json:"featured"`
	Closed       bool               `json:"closed"`
	VoteSum      jsonstream.FlexInt `json:"vote_sum"`
	VoteCount    jsonstream.FlexInt `json:"vote_count"`
	CommentCount jsonstream.FlexInt `json:"comment_count"`
	CreatedAt    string             `json:"created_at"`
	UpdatedAt    string             `json:"updated_at"`
	URL          string             `json:"url"`
	HTMLURL      string             `json:"html_url"`
}

// comment is a post comment as the Post Comments API gives it.
type comment struct {
	ID        jsonstream.FlexID  `json:"id"`
	Body      string             `json:"body"`
	AuthorID  jsonstream.FlexID  `json:"author_id"`
	PostID    jsonstream.FlexID  `json:"post_id"`
	Official  bool               `json:"official"`
	VoteSum   jsonstream.FlexInt `json:"vote_sum"`
	VoteCount jsonstream.FlexInt `json:"vote_count"`
	CreatedAt string             `json:"created_at"`
	UpdatedAt string             `json:"updated_at"`
	URL       string             `json:"url"`
	HTMLURL   string             `json:"html_url"`
}

// sideUser is a sideloaded user (?include=users).
type sideUser struct {
	ID   jsonstream.FlexID `json:"id"`
	Name *string           `json:"name"`
}

// group is a post and its comments; post is nil while (or if) the post
// record has not been seen.
type group struct {
	id       string
	post     *jsonstream.Loc
	comments []jsonstream.Loc
}

type index struct {
	groups    []group
	byID      map[string]int32
	postOrder []int32           // groups in the order their post records appear
	comments  map[string]int32  // comment id -> file index, for duplicates
	users     map[string]string // user id -> name
}

// orphans are the groups whose post is not in the export, in the order their
// first comment appears.
func (ix *index) orphans() []int32 {
	var out []int32
	for i := range ix.groups {
		if ix.groups[i].post == nil {
			out = append(out, int32(i))
		}
	}
	return out
}

func (ix *index) group(id string) *group {
	gi, ok := ix.byID[id]
	if !ok {
		gi = int32(len(ix.groups))
		ix.byID[id] = gi
		ix.groups = append(ix.groups, group{id: id})
	}
	return &ix.groups[gi]
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// index validates every record of every file and records where it is.
func (e *Export) index(ctx context.Context) (*index, error) {
	ix := &index{byID: map[string]int32{}, comments: map[string]int32{}, users: map[string]string{}}
	for fi, path := range e.files {
		if err := e.indexFile(ctx, ix, int32(fi), path); err != nil {
			return nil, err
		}
	}
	if len(ix.postOrder) == 0 && len(ix.groups) > 0 {
		return nil, &forum.InputError{Format: format, Path: e.files[0], Offset: -1,
			Err:  errors.New("comments but no posts in the export"),
			Hint: "add the posts list (/api/v2/community/posts.json?include=users) to the export"}
	}
	return ix, nil
}

func (e *Export) indexFile(ctx context.Context, ix *index, fi int32, path string) error {
	s, err := jsonstream.Open(format, path)
	if err != nil {
		return err
	}
	defer s.Close()
	w := &fileWalker{e: e, ix: ix, s: s, fi: fi, ctx: ctx}
	for {
		t, off, err := s.Next(fmt.Sprintf("response %d", w.resp+1))
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return w.shape("", off, errf("top-level value is %s, want a posts or comments response object", jsonstream.Describe(t)))
		}
		if err := w.response(off); err != nil {
			return err
		}
	}
	if w.resp == 0 {
		return &forum.InputError{Format: format, Path: path, Offset: 0, Err: errors.New("no response object in file"),
			Hint: "the file is empty: re-run the export"}
	}
	return nil
}

type fileWalker struct {
	e    *Export
	ix   *index
	s    *jsonstream.Stream
	fi   int32
	ctx  context.Context
	resp int
}

const shapeHint = `want {"posts":[...]} or {"comments":[...]} (with "users" sideloaded) as the Help Center API returns them`

func (w *fileWalker) shape(record string, off int64, err error) error {
	return &forum.InputError{Format: format, Path: w.s.Path, Record: record, Offset: off, Err: err, Hint: shapeHint}
}

// response reads one response object; its '{' is consumed.
func (w *fileWalker) response(start int64) error {
	w.resp++
	rec := fmt.Sprintf("response %d", w.resp)
	known := false
	var apiError json.RawMessage
	err := w.s.Object(rec, func(key string, off int64) error {
		switch key {
		case "posts", "comments", "users":
			known = true
			return w.array(rec, key)
		case "error", "errors":
			if err := w.s.Dec.Decode(&apiError); err != nil {
				return w.s.Fail(rec, off, err, "")
			}
			return nil
		}
		return w.s.Skip(rec, off)
	})
	if err != nil {
		return err
	}
	if apiError != nil && !known {
		return &forum.InputError{Format: format, Path: w.s.Path, Record: rec, Offset: start,
			Err:  errf("an API error response: %s", jsonstream.Truncate(string(apiError), 200)),
			Hint: "the request failed: fix it and export again"}
	}
	if !known {
		return w.shape(rec, start, errors.New(`response has no "posts", "comments" or "users"`))
	}
	return nil
}

// array reads the posts, comments or users array of a response.
func (w *fileWalker) array(rec, key string) error {
	dec := w.s.Dec
	off := w.s.Offset()
	t, ok, err := jsonstream.ExpectDelim(dec, '[')
	if err != nil {
		return w.s.Fail(rec, off, err, "")
	}
	if !ok {
		return w.shape(rec, off, errf("%s is %s, want an array", key, jsonstream.Describe(t)))
	}
	for i := 0; dec.More(); i++ {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		// Numbered from 1, like the responses and every other reader's records.
		r := fmt.Sprintf("%s %s %d", rec, strings.TrimSuffix(key, "s"), i+1)
		raw, start, err := w.s.Record(r, "record", w.e.limit)
		if err != nil {
			return err
		}
		at := jsonstream.Loc{File: w.fi, Off: start, N: int32(len(raw))}
		switch key {
		case "posts":
			err = w.post(r, raw, at)
		case "comments":
			err = w.comment(r, raw, at)
		case "users":
			err = w.user(r, raw, at)
		}
		if err != nil {
			return err
		}
	}
	return w.s.End(rec)
}

// recordError names the record by its id when the id is readable.
func (w *fileWalker) recordError(rec, kind string, raw json.RawMessage, at jsonstream.Loc, err error, hint string) error {
	return &forum.InputError{Format: format, Path: w.s.Path, Record: jsonstream.RecordName(rec, kind, raw), Offset: at.Off, Err: err, Hint: hint}
}

func (w *fileWalker) post(rec string, raw json.RawMessage, at jsonstream.Loc) error {
	var p post
	if err := json.Unmarshal(raw, &p); err != nil {
		return w.recordError(rec, "post", raw, at, jsonstream.FieldError(err, "record"), shapeHint)
	}
	if err := w.e.checkPost(&p); err != nil {
		return w.recordError(rec, "post", raw, at, err, "")
	}
	g := w.ix.group(string(p.ID))
	if g.post != nil {
		return w.recordError(rec, "post", raw, at, errf("duplicate post id %s (first seen in %s)", p.ID, w.e.files[g.post.File]),
			"the same post was exported twice (pages fetched while the community changed?): remove the duplicate")
	}
	g.post = &at
	w.ix.postOrder = append(w.ix.postOrder, w.ix.byID[string(p.ID)])
	return nil
}

func (w *fileWalker) comment(rec string, raw json.RawMessage, at jsonstream.Loc) error {
	var c comment
	if err := json.Unmarshal(raw, &c); err != nil {
		return w.recordError(rec, "comment", raw, at, jsonstream.FieldError(err, "record"), shapeHint)
	}
	if err := w.e.checkComment(&c); err != nil {
		return w.recordError(rec, "comment", raw, at, err,
			"a comment must carry its own post_id; check that the comments file belongs to that post")
	}
	if first, dup := w.ix.comments[string(c.ID)]; dup {
		return w.recordError(rec, "comment", raw, at, errf("duplicate comment id %s (first seen in %s)", c.ID, w.e.files[first]),
			"the same comment was exported twice: remove the duplicate")
	}
	w.ix.comments[string(c.ID)] = w.fi
	g := w.ix.group(string(c.PostID))
	g.comments = append(g.comments, at)
	return nil
}

func (w *fileWalker) user(rec string, raw json.RawMessage, at jsonstream.Loc) error {
	var u sideUser
	if err := json.Unmarshal(raw, &u); err != nil {
		return w.recordError(rec, "user", raw, at, jsonstream.FieldError(err, "record"), shapeHint)
	}
	if !jsonstream.ValidID(string(u.ID)) {
		return w.recordError(rec, "user", raw, at, errf("user id %q is missing or not an id", jsonstream.Truncate(string(u.ID), 40)), "")
	}
	// Sideloads repeat on every page: the first name seen wins.
	if _, seen := w.ix.users[string(u.ID)]; !seen && u.Name != nil {
		w.ix.users[string(u.ID)] = forum.OneLine(*u.Name)
	}
	return nil
}

func (e *Export) checkPost(p *post) error {
	if !jsonstream.ValidID(string(p.ID)) {
		return errf("post id %q is missing or not an id", jsonstream.Truncate(string(p.ID), 40))
	}
	if len(p.Details) > e.limit {
		return errf("details are %d bytes, over the %d byte limit", len(p.Details), e.limit)
	}
	return checkTimes(p.CreatedAt, p.UpdatedAt)
}

// postInURL finds the post id in a comment's url or html_url
// (…/community/posts/123-title/comments/456, …/community/posts/123/comments/456.json).
var postInURL = regexp.MustCompile(`/posts/([0-9]+)`)

func (e *Export) checkComment(c *comment) error {
	if !jsonstream.ValidID(string(c.ID)) {
		return errf("comment id %q is missing or not an id", jsonstream.Truncate(string(c.ID), 40))
	}
	if !jsonstream.ValidID(string(c.PostID)) {
		return errf("post_id %q is missing or not an id", jsonstream.Truncate(string(c.PostID), 40))
	}
	for _, u := range []string{c.HTMLURL, c.URL} {
		if m := postInURL.FindStringSubmatch(u); m != nil && m[1] != string(c.PostID) {
			return errf("post_id is %s but the comment's URL %s belongs to post %s", c.PostID, jsonstream.Truncate(u, 120), m[1])
		}
	}
	if len(c.Body) > e.limit {
		return errf("body is %d bytes, over the %d byte limit", len(c.Body), e.limit)
	}
	return checkTimes(c.CreatedAt, c.UpdatedAt)
}

func checkTimes(created, updated string) error {
	if created == "" {
		return errors.New("created_at is missing")
	}
	for _, ts := range []string{created, updated} {
		if _, err := parseTime(ts); err != nil {
			return err
		}
	}
	return nil
}
